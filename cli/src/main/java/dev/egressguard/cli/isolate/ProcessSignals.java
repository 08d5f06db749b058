package dev.egressguard.cli.isolate;

import java.io.IOException;
import java.util.Set;

/** Sends a signal, by name, to a child process. Free of logging: the isolated launcher uses it too. */
public final class ProcessSignals {
    /** The signals {@code run} passes on. */
    public static final Set<String> FORWARDED = Set.of("TERM", "INT", "HUP");

    private ProcessSignals() {}

    /** TERM, INT or HUP to {@code child} while it runs; a failure is reported on standard error. */
    public static void send(Process child, String name) {
        if (!child.isAlive() || !FORWARDED.contains(name)) {
            return;
        }
        if (name.equals("TERM")) {
            child.destroy();
            return;
        }
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).inheritIO().start();
        } catch (IOException e) {
            System.err.println("egressguard run: cannot pass SIG" + name + " to " + child.pid() + ": " + e.getMessage());
        }
    }
}
