package dev.egressguard.cli;

/** The process entry point: the only {@code System.exit} in egressguard. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(EgressguardCommand.newCommandLine().execute(args));
    }
}
