package dev.egressguard.cli.isolate;

import dev.egressguard.client.routing.ProxyUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The outer side of {@code run --isolate}: a private directory (0700) with the Unix sockets the
 * sandbox's forwarders connect to; each connection on {@code http.sock} (and {@code socks.sock}) is
 * relayed to the configured proxy's {@code host:port} (and the SOCKS proxy's), and to nothing
 * else. {@code control.sock} takes exactly one connection, the launcher's, which says the sandbox
 * is up and then carries the signals {@code run} passes on. {@link #close()} stops the forwarders
 * and removes the directory.
 */
public final class IsolatedRun implements AutoCloseable {
    /** Where the child finds the HTTP proxy: {@code 127.0.0.1:3128} of its own namespace. */
    public static final int HTTP_PORT = 3128;
    /** Where the child finds the SOCKS proxy, when one is configured: {@code 127.0.0.1:1080}. */
    public static final int SOCKS_PORT = 1080;
    static final String LOOPBACK = "127.0.0.1";
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(60);
    private static final int UNIX_PATH_MAX = 107; // sun_path holds 108 bytes with the terminating NUL

    private final Path dir;
    private final ProxyUrl proxy;
    private final Optional<ProxyUrl> socks;
    private final List<Forwarder> forwarders = new ArrayList<>();
    private final ServerSocketChannel control;
    private final AtomicBoolean dialFailureReported = new AtomicBoolean();
    private volatile SocketChannel launcher;

    private IsolatedRun(Path dir, ProxyUrl proxy, Optional<ProxyUrl> socks, ServerSocketChannel control) {
        this.dir = dir;
        this.proxy = proxy;
        this.socks = socks;
        this.control = control;
    }

    /**
     * Creates the private directory and starts serving its sockets.
     *
     * @throws IsolationUnavailableException when the directory or a socket cannot be made
     */
    public static IsolatedRun open(ProxyUrl proxy, Optional<ProxyUrl> socks) {
        Path dir;
        try {
            dir = Files.createTempDirectory("egressguard-isolate-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IsolationUnavailableException("cannot create a private directory in " + System.getProperty("java.io.tmpdir") + " (" + e + ")");
        }
        if (dir.resolve(IsolatedLauncher.CONTROL_SOCKET).toString().getBytes(StandardCharsets.UTF_8).length > UNIX_PATH_MAX) {
            deleteTree(dir);
            throw new IsolationUnavailableException("the temporary directory " + dir + " is too long for a Unix socket path; set TMPDIR shorter");
        }
        IsolatedRun run = null;
        try {
            run = new IsolatedRun(dir, proxy, socks, listen(dir.resolve(IsolatedLauncher.CONTROL_SOCKET)));
            run.serve("http", IsolatedLauncher.HTTP_SOCKET, proxy);
            if (socks.isPresent()) {
                run.serve("socks", IsolatedLauncher.SOCKS_SOCKET, socks.get());
            }
            return run;
        } catch (IOException e) {
            if (run != null) {
                run.close();
            } else {
                deleteTree(dir);
            }
            throw new IsolationUnavailableException("cannot serve a Unix socket in " + dir + " (" + e + ")");
        }
    }

    private static ServerSocketChannel listen(Path socket) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private void serve(String name, String socketName, ProxyUrl target) throws IOException {
        forwarders.add(Forwarder.start(name, listen(dir.resolve(socketName)), () -> dial(target), e -> reportDialFailure(target, e)));
    }

    /** Only ever the configured proxy's address, resolved here (the namespace has no DNS). */
    private static SocketChannel dial(ProxyUrl target) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().connect(new InetSocketAddress(target.host(), target.port()), CONNECT_TIMEOUT_MILLIS);
            return ch;
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(ch);
            throw e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
        }
    }

    private void reportDialFailure(ProxyUrl target, IOException e) {
        if (dialFailureReported.compareAndSet(false, true)) {
            System.err.println("egressguard run --isolate: cannot reach the proxy at " + target.uriHost() + ":" + target.port() + " (" + e.getMessage()
                    + "); the command's connection was reset (further failures are not reported)");
        }
    }

    /** The HTTP proxy as the child sees it: the forwarder in its namespace, same credentials. */
    public ProxyUrl childProxy() {
        return proxy.at(LOOPBACK, HTTP_PORT);
    }

    /** The SOCKS proxy as the child sees it, when one is configured. */
    public Optional<ProxyUrl> childSocks() {
        return socks.map(s -> s.at(LOOPBACK, SOCKS_PORT));
    }

    /**
     * Sets {@code pb} up to start {@code command} in {@code sandbox} through the launcher; {@code pb}'s
     * environment is the command's (the proxy variables already point at {@link #childProxy()}).
     */
    public void prepare(ProcessBuilder pb, Bubblewrap sandbox, List<String> command) {
        JvmOptionVariables.stash(pb.environment());
        pb.command(sandbox.command(launcherCommand(command)));
    }

    /** The launcher's command line: this JVM's {@code java}, small and quick to start, on the jar that holds the launcher. */
    List<String> launcherCommand(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m", "-XX:-UsePerfData", "-Xshare:auto",
                "-cp", launcherClassPath(), IsolatedLauncher.class.getName(),
                dir.toString(), Integer.toString(HTTP_PORT), socks.isPresent() ? Integer.toString(SOCKS_PORT) : IsolatedLauncher.NO_PORT, "--"));
        cmd.addAll(command);
        return cmd;
    }

    private static String launcherClassPath() {
        try {
            return Path.of(IsolatedLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new IsolationUnavailableException("cannot locate the jar that holds " + IsolatedLauncher.class.getName() + " (" + e + ")");
        }
    }

    /**
     * Waits (bounded) for the launcher in {@code sandbox} to report; returns where signals for the
     * command go from then on.
     *
     * @throws IsolationUnavailableException when the sandbox ends, or does not report in time, before the command started
     */
    public Consumer<String> awaitLauncher(Process sandbox) throws IOException, InterruptedException {
        control.configureBlocking(false);
        long deadline = System.nanoTime() + LAUNCH_TIMEOUT.toNanos();
        while (true) {
            SocketChannel c = control.accept();
            if (c == null && !sandbox.isAlive()) {
                c = control.accept(); // it may have reported, run the command and ended since the first look
                if (c == null) {
                    throw new IsolationUnavailableException("the sandbox ended (status " + sandbox.exitValue()
                            + ") before its forwarder started; see the message above");
                }
            }
            if (c != null) {
                c.configureBlocking(true);
                launcher = c;
                Sockets.closeQuietly(control); // one launcher; nobody else gets to send signals
                return this::signal;
            }
            if (System.nanoTime() > deadline) {
                sandbox.destroyForcibly();
                throw new IsolationUnavailableException("the sandbox's forwarder did not start within " + LAUNCH_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(10);
        }
    }

    private synchronized void signal(String name) {
        SocketChannel c = launcher;
        if (c == null) {
            return;
        }
        try {
            ByteBuffer line = ByteBuffer.wrap((name + "\n").getBytes(StandardCharsets.US_ASCII));
            while (line.hasRemaining()) {
                c.write(line);
            }
        } catch (IOException gone) {
            // the launcher has ended: so has the command
        }
    }

    @Override
    public void close() {
        forwarders.forEach(Forwarder::close);
        Sockets.closeQuietly(control);
        Sockets.closeQuietly(launcher);
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.err.println("egressguard run --isolate: cannot remove " + dir + " (" + e.getMessage() + ")");
        }
    }
}
