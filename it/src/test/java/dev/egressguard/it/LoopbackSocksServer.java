package dev.egressguard.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small RFC 1928 SOCKS5 server on 127.0.0.1:0 for the relay tests of {@code run --isolate}
 * until egressguard's own SOCKS listener exists: no authentication, CONNECT only, and only to
 * loopback ({@code localhost} or a 127.0.0.0/8 literal; anything else is answered "not allowed"
 * and never dialled). It records each target as the client named it ({@code name localhost:80},
 * {@code ipv4 127.0.0.1:80}), so a test can tell socks5h (names) from socks5 (addresses).
 */
final class LoopbackSocksServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> targets = new CopyOnWriteArrayList<>();

    LoopbackSocksServer() throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        Thread acceptor = new Thread(this::acceptLoop, "socks-test-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    List<String> targets() {
        return targets;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "socks-test-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                return;
            }
            in.readFully(new byte[in.readUnsignedByte()]); // offered methods: we take "no authentication"
            out.write(new byte[] {5, 0});
            int version = in.readUnsignedByte();
            int command = in.readUnsignedByte();
            in.readUnsignedByte();
            int type = in.readUnsignedByte();
            String host;
            String kind;
            if (type == 1) {
                byte[] a = new byte[4];
                in.readFully(a);
                host = InetAddress.getByAddress(a).getHostAddress();
                kind = "ipv4";
            } else if (type == 3) {
                byte[] name = new byte[in.readUnsignedByte()];
                in.readFully(name);
                host = new String(name, StandardCharsets.US_ASCII);
                kind = "name";
            } else {
                reply(out, 8); // address type not supported
                return;
            }
            int port = in.readUnsignedShort();
            targets.add(kind + " " + host + ":" + port);
            if (version != 5 || command != 1) {
                reply(out, 7); // command not supported
                return;
            }
            boolean loopback = host.equals("localhost") || (kind.equals("ipv4") && host.startsWith("127."));
            if (!loopback) {
                reply(out, 2); // not allowed: this server dials loopback only
                return;
            }
            try (Socket upstream = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port)) {
                reply(out, 0);
                client.setSoTimeout(0);
                Thread up = pipe(in, upstream.getOutputStream(), upstream);
                pipe(upstream.getInputStream(), out, client).join(20_000);
                up.join(20_000);
            } catch (IOException refused) {
                reply(out, 5);
            }
        } catch (IOException | InterruptedException e) {
            // the client went away; the test fails on what it saw
        }
    }

    private static void reply(OutputStream out, int code) throws IOException {
        out.write(new byte[] {5, (byte) code, 0, 1, 0, 0, 0, 0, 0, 0});
        out.flush();
    }

    private static Thread pipe(InputStream from, OutputStream to, Socket toSocket) {
        Thread t = new Thread(() -> {
            try {
                from.transferTo(to);
                toSocket.shutdownOutput();
            } catch (IOException ignored) {
                // one side closed
            }
        }, "socks-test-pipe");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
