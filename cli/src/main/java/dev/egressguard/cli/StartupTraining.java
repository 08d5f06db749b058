package dev.egressguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The short run {@code bin/egressguard} records its start-up archive from (JDK 17 AppCDS with
 * {@code -XX:ArchiveClassesAtExit}, JDK 25 AOT cache with {@code -XX:AOTCacheOutput}): the classes
 * a run loads here are the ones a later start finds mapped instead of loading them from the jar.
 * It runs {@code check}, then {@code proxy} on {@code 127.0.0.1:0} (admin on {@code 127.0.0.1:0}),
 * sends it a denied request, a denied CONNECT and an admin request, then a few seconds of allowed
 * traffic to a loopback origin ({@link TrainingTraffic}: keep-alive, a connection per request,
 * tunnels), and exits. Both read a policy file that is the default with DNS pointed at loopback and
 * one rule opening that origin: every target is an IP literal, so nothing is resolved, and the run
 * does not depend on {@code /etc/resolv.conf} (a proxy refuses to start where it names no server).
 * It dials only loopback; audit lines go to standard output.
 */
public final class StartupTraining {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+);.*admin: 127\\.0\\.0\\.1:(\\d+)");

    private StartupTraining() {}

    public static void main(String[] args) throws Exception {
        Path policy = Files.createTempFile("egressguard-training", ".yaml");
        policy.toFile().deleteOnExit();
        TrainingTraffic traffic = TrainingTraffic.start();
        Files.writeString(policy, "dns:\n  servers: [\"127.0.0.1:53\"]\n" + traffic.allowRule());
        EgressguardCommand.newCommandLine().setOut(new PrintWriter(OutputStream.nullOutputStream()))
                .execute("check", "--policy", policy.toString(), "1.2.3.4", "http://169.254.169.254/latest/meta-data/", "10.0.0.1:22");
        StringWriter banner = new StringWriter();
        Thread proxy = new Thread(() -> EgressguardCommand.newCommandLine().setErr(new PrintWriter(banner, true))
                .execute("proxy", "--policy", policy.toString(), "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"), "egressguard-training");
        proxy.setDaemon(true);
        proxy.start();
        Matcher m = LISTENING.matcher("");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(m = LISTENING.matcher(banner.toString())).find()) {
            if (System.nanoTime() - deadline > 0 || !proxy.isAlive()) {
                throw new IllegalStateException("the proxy did not start: " + banner);
            }
            Thread.sleep(10);
        }
        int port = Integer.parseInt(m.group(1));
        int admin = Integer.parseInt(m.group(2));
        for (int round = 0; round < 3; round++) {
            for (String request : List.of(
                    "GET http://127.0.0.1:" + admin + "/ HTTP/1.1\r\nHost: 127.0.0.1:" + admin + "\r\n\r\n",
                    "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: training\r\n\r\n",
                    "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n")) {
                exchange(port, request);
            }
            exchange(admin, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            exchange(admin, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        }
        traffic.drive(port, 4_000);
        traffic.close();
        System.exit(0); // the proxy's shutdown hook drains and closes; the JVM then writes the archive
    }

    /** Sends one request to a loopback port and reads the response head (the proxy answers and may keep the connection). */
    private static void exchange(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            StringBuilder head = new StringBuilder();
            int n;
            while (head.indexOf("\r\n\r\n") < 0 && (n = in.read(buf)) > 0) {
                head.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            if (!head.toString().startsWith("HTTP/1.1 ")) {
                throw new IOException("no HTTP answer from 127.0.0.1:" + port + " to " + request.lines().findFirst().orElse("") + ": " + head);
            }
        }
    }
}
