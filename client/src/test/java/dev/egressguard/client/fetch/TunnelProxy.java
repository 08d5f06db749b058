package dev.egressguard.client.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A minimal HTTP forward proxy on 127.0.0.1 standing in for an explicit or the operator's
 * proxy: it records each request line, then relays CONNECT tunnels and absolute-form requests to
 * the upstream stand-in chosen by {@code upstreamFor} (given the request line), dialling through
 * the {@link LoopbackOnlySocketFactory}. Like a real filtering proxy, it gets names, not
 * addresses. Every socket has a read timeout, so no relay outlives a stuck peer by more than a
 * few seconds.
 */
final class TunnelProxy implements AutoCloseable {
    private static final int MAX_HEAD = 64 * 1024;
    private static final int IDLE_MILLIS = 5_000;

    private final ServerSocket server;
    private final LoopbackOnlySocketFactory dials;
    private final Function<String, InetSocketAddress> upstreamFor;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tunnel-proxy");
        t.setDaemon(true);
        return t;
    });

    TunnelProxy(LoopbackOnlySocketFactory dials, Function<String, InetSocketAddress> upstreamFor) throws IOException {
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        this.dials = dials;
        this.upstreamFor = upstreamFor;
        pool.submit(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                pool.submit(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(IDLE_MILLIS);
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String line = text.substring(0, Math.max(0, text.indexOf("\r\n")));
            requestLines.add(line);
            InetSocketAddress target = upstreamFor.apply(line);
            try (Socket upstream = dials.createSocket()) {
                upstream.connect(target, 2_000);
                upstream.setSoTimeout(IDLE_MILLIS);
                if (line.startsWith("CONNECT ")) {
                    client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    upstream.getOutputStream().write(head);
                }
                pool.submit(() -> copy(upstream, client));
                copy(client, upstream);
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            // a refused dial is recorded by the LoopbackOnlySocketFactory; the client sees the connection close
        }
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the request head");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        throw new IOException("request head over " + MAX_HEAD + " bytes");
    }

    /** Copies until end of stream or an idle timeout, then closes both sockets. */
    private static void copy(Socket from, Socket to) {
        byte[] buf = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // idle timeout or reset: end of the relay
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
