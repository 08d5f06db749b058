package dev.egressguard.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The allowed traffic of {@link StartupTraining}: a loopback origin that answers every request head
 * with 1 KiB, and clients that send the proxy the exchanges of its busy path — keep-alive requests,
 * a connection per request, CONNECT tunnels with a request inside — so that the start-up archive
 * holds the classes of that path, and on JDK 25 the AOT cache also holds their method profiles (the
 * JIT then compiles the hot path early instead of after seconds of load). Bounded by count and by
 * time; every socket is on 127.0.0.1.
 */
final class TrainingTraffic implements AutoCloseable {
    private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n\r\n" + "x".repeat(1024))
            .getBytes(StandardCharsets.US_ASCII);
    private final ServerSocket origin;

    private TrainingTraffic(ServerSocket origin) {
        this.origin = origin;
        Thread acceptor = new Thread(this::accept, "training-origin");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static TrainingTraffic start() throws IOException {
        return new TrainingTraffic(new ServerSocket(0, 200, InetAddress.getLoopbackAddress()));
    }

    /** The policy lines that open the origin (an explicit rule, as an operator opens a local model server). */
    String allowRule() {
        return "allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.getLocalPort() + "]\n    reason: the training origin\n";
    }

    /** Runs the exchanges through the proxy at {@code proxyPort} until they are done or {@code millis} have passed. */
    void drive(int proxyPort, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        String target = "127.0.0.1:" + origin.getLocalPort();
        String get = "GET http://" + target + "/train HTTP/1.1\r\nHost: " + target + "\r\nUser-Agent: training\r\n\r\n";
        String getAndClose = "GET http://" + target + "/train HTTP/1.1\r\nHost: " + target + "\r\nConnection: close\r\n\r\n";
        String connect = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            clients.add(client(() -> {
                try (Socket s = dial(proxyPort)) {
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    for (int n = 0; n < 3_000 && System.nanoTime() < deadline; n++) {
                        exchange(s, in, get, true);
                    }
                }
            }));
        }
        clients.add(client(() -> {
            for (int n = 0; n < 400 && System.nanoTime() < deadline; n++) {
                try (Socket s = dial(proxyPort)) {
                    exchange(s, new BufferedInputStream(s.getInputStream()), getAndClose, true);
                }
            }
        }));
        clients.add(client(() -> {
            for (int n = 0; n < 400 && System.nanoTime() < deadline; n++) {
                try (Socket s = dial(proxyPort)) {
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    exchange(s, in, connect, false);
                    exchange(s, in, "GET /train HTTP/1.1\r\nHost: " + target + "\r\n\r\n", true);
                }
            }
        }));
        for (Thread t : clients) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 2_000));
        }
    }

    private interface Work {
        void run() throws IOException;
    }

    private static Thread client(Work work) {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } catch (IOException e) {
                // the training goes on without this client: an archive is still recorded
            }
        }, "training-client");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Socket dial(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(5000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Sends {@code request} and reads the answer's head, and its 1 KiB body when {@code body}. */
    private static void exchange(Socket s, InputStream in, String request, boolean body) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 200")) {
            throw new IOException("the training exchange was not answered 200: " + head.lines().findFirst().orElse(""));
        }
        if (body && in.readNBytes(1024).length < 1024) {
            throw new IOException("the training answer ended early");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while (head.length() < 16_384 && (b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.charAt(head.length() - 1) == '\n' && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }

    private void accept() {
        while (!origin.isClosed()) {
            try {
                Socket s = origin.accept();
                Thread t = new Thread(() -> answer(s), "training-origin-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Answers each request head on a connection (none of the training's requests has a body) until it closes. */
    private static void answer(Socket s) {
        try (s) {
            s.setSoTimeout(5000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (!readHead(in).isEmpty()) {
                out.write(ANSWER);
                out.flush();
            }
        } catch (IOException e) {
            // the connection ended
        }
    }

    @Override
    public void close() throws IOException {
        origin.close();
    }
}
