package dev.egressguard.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Debian-packaged proxy run from its stock configuration file, copied and changed only where it
 * must be to run beside the tests: a free loopback port, and pid, log and cache paths in a temp
 * directory (docs/validate.md lists every change). Started as a process, ended by its PID.
 */
final class StockProxy implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private StockProxy(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Squid from /etc/squid/squid.conf. */
    static StockProxy squid() throws Exception {
        Path binary = Path.of("/usr/sbin/squid");
        Path stock = Path.of("/etc/squid/squid.conf");
        assumeInstalled(binary, stock);
        Path dir = workDir("squid");
        int port = freePort();
        String conf = Files.readString(stock)
                .replaceFirst("(?m)^http_port 3128$", "http_port 127.0.0.1:" + port)
                .replaceFirst("(?m)^coredump_dir .*$", "coredump_dir " + dir)
                + "\n# egressguard validate test: run unprivileged-ish beside the tests\n"
                + "pid_filename " + dir.resolve("squid.pid") + "\n"
                + "cache_log " + dir.resolve("cache.log") + "\n"
                + "access_log stdio:" + dir.resolve("access.log") + "\n"
                + "netdb_filename none\n"
                + "pinger_enable off\n";
        Path file = dir.resolve("squid.conf");
        Files.writeString(file, conf);
        return start(List.of(binary.toString(), "-N", "-f", file.toString()), dir, port);
    }

    /** tinyproxy from /etc/tinyproxy/tinyproxy.conf. */
    static StockProxy tinyproxy() throws Exception {
        Path binary = Path.of("/usr/bin/tinyproxy");
        Path stock = Path.of("/etc/tinyproxy/tinyproxy.conf");
        assumeInstalled(binary, stock);
        Path dir = workDir("tinyproxy");
        int port = freePort();
        String conf = Files.readString(stock)
                .replaceFirst("(?m)^Port 8888$", "Port " + port + "\nListen 127.0.0.1")
                .replaceFirst("(?m)^LogFile .*$", "LogFile \"" + dir.resolve("tinyproxy.log") + "\"")
                .replaceFirst("(?m)^PidFile .*$", "PidFile \"" + dir.resolve("tinyproxy.pid") + "\"");
        Path file = dir.resolve("tinyproxy.conf");
        Files.writeString(file, conf);
        return start(List.of(binary.toString(), "-d", "-c", file.toString()), dir, port);
    }

    private static void assumeInstalled(Path binary, Path stock) {
        Assumptions.assumeTrue(Files.isExecutable(binary) && Files.isReadable(stock),
                binary + " or " + stock + " is missing: install the Debian package (.ci/run does)");
    }

    /** World-writable: run as root, Squid and tinyproxy drop to their own users and must still write here. */
    private static Path workDir(String name) throws IOException {
        Path dir = Files.createTempDirectory("eg-validate-" + name);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static StockProxy start(List<String> command, Path dir, int port) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        StockProxy proxy = new StockProxy(p, dir, port);
        for (int i = 0; i < 300; i++) {
            if (!p.isAlive()) {
                break;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 200);
                return proxy;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        String out = Files.readString(dir.resolve("stdout.txt"));
        proxy.close();
        throw new AssertionError(command + " did not listen on 127.0.0.1:" + port + ": " + out);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Path dir() {
        return dir;
    }

    /** SIGTERM to our PID, then SIGKILL if it lingers (Squid waits shutdown_lifetime for clients). */
    @Override
    public void close() throws InterruptedException, IOException {
        ProcessHandle handle = process.toHandle();
        handle.destroy();
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
            handle.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
