package dev.egressguard.cli.isolate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The first process inside the sandbox of {@code run --isolate}:
 * {@code IsolatedLauncher DIR HTTP_PORT SOCKS_PORT|- -- CMD ARGS...}. It listens on the
 * namespace's {@code 127.0.0.1:HTTP_PORT} (and {@code SOCKS_PORT}) and relays every connection to
 * the Unix sockets {@code DIR/http.sock} ({@code DIR/socks.sock}) that the outer {@code run}
 * serves; connects to {@code DIR/control.sock}, which tells {@code run} that the sandbox is up;
 * then starts CMD with the environment {@code run} prepared ({@link JvmOptionVariables} put back),
 * delivers the signals {@code run} sends over the control socket, and exits with CMD's status.
 * When {@code run} goes away (the control socket ends) CMD is killed: nothing in the sandbox
 * outlives it. Only JDK classes here: this JVM starts on every isolated run.
 */
public final class IsolatedLauncher {
    static final String HTTP_SOCKET = "http.sock";
    static final String SOCKS_SOCKET = "socks.sock";
    static final String CONTROL_SOCKET = "control.sock";
    static final String NO_PORT = "-";
    /** Could not set up inside the sandbox: as {@code run} itself does when isolation is unavailable. */
    static final int EXIT_UNAVAILABLE = 78;
    /** CMD could not be started: as plain {@code run} does. */
    static final int EXIT_CANNOT_START = 2;

    private IsolatedLauncher() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length < 5 || !args[3].equals("--")) {
            System.err.println("usage: IsolatedLauncher DIR HTTP_PORT SOCKS_PORT|- -- CMD ARGS... (started by egressguard run --isolate)");
            return EXIT_UNAVAILABLE;
        }
        Path dir = Path.of(args[0]);
        List<String> command = Arrays.asList(args).subList(4, args.length);
        List<Forwarder> forwarders = new ArrayList<>();
        SocketChannel control;
        try {
            forwarders.add(forward("http", Integer.parseInt(args[1]), dir.resolve(HTTP_SOCKET)));
            if (!args[2].equals(NO_PORT)) {
                forwarders.add(forward("socks", Integer.parseInt(args[2]), dir.resolve(SOCKS_SOCKET)));
            }
            control = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve(CONTROL_SOCKET)));
        } catch (IOException | RuntimeException e) {
            System.err.println("egressguard run --isolate: the forwarder inside the namespace cannot start (" + e
                    + "); the command was not started.");
            forwarders.forEach(Forwarder::close);
            return EXIT_UNAVAILABLE;
        }
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        JvmOptionVariables.unstash(pb.environment());
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            System.err.println("error: egressguard run: cannot start " + command.get(0) + ": " + e.getMessage());
            return EXIT_CANNOT_START;
        }
        Thread signals = new Thread(() -> deliverSignals(control, child), "egressguard-control");
        signals.setDaemon(true);
        signals.start();
        try {
            return child.waitFor();
        } catch (InterruptedException e) {
            child.destroyForcibly();
            return EXIT_UNAVAILABLE;
        }
    }

    private static Forwarder forward(String name, int port, Path socket) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        listener.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 128);
        return Forwarder.start(name, listener, () -> SocketChannel.open(UnixDomainSocketAddress.of(socket)), e -> { });
    }

    /** Signal names, one a line, until the control socket ends; then {@code run} is gone and so must CMD be. */
    private static void deliverSignals(SocketChannel control, Process child) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(control), StandardCharsets.US_ASCII))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                ProcessSignals.send(child, line.strip());
            }
        } catch (IOException broken) {
            // as good as the end
        }
        child.destroyForcibly();
    }
}
