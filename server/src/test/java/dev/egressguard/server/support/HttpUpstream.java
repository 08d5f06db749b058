package dev.egressguard.server.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP (or HTTPS) origin on a loopback address: {@code /echo} answers with what it received
 * (method, path and query, body length), {@code /bytes?n=N} streams N bytes chunked, anything else
 * says hello. Every request is recorded.
 */
public final class HttpUpstream implements AutoCloseable {
    /** One request as the origin saw it. */
    public record Seen(String method, String uri, Map<String, List<String>> headers, long bodyBytes) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private HttpUpstream(HttpServer server) {
        this.server = server;
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static HttpUpstream http(String loopbackAddress) throws IOException {
        return http(loopbackAddress, 0);
    }

    /** An origin at a given port (0: any), e.g. a second address answering at the first one's port. */
    public static HttpUpstream http(String loopbackAddress, int port) throws IOException {
        return new HttpUpstream(HttpServer.create(new InetSocketAddress(InetAddress.getByName(loopbackAddress), port), 64));
    }

    public static HttpUpstream https(String loopbackAddress, SSLContext tls) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(loopbackAddress), 0), 64);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new HttpUpstream(s);
    }

    private void handle(HttpExchange x) throws IOException {
        long body = 0;
        try (InputStream in = x.getRequestBody()) {
            byte[] buf = new byte[65536];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                body += n;
            }
        }
        String uri = x.getRequestURI().toString();
        seen.add(new Seen(x.getRequestMethod(), uri, Map.copyOf(x.getRequestHeaders()), body));
        String path = x.getRequestURI().getPath();
        if (path.equals("/bytes")) {
            long n = Long.parseLong(x.getRequestURI().getQuery().substring(2));
            x.sendResponseHeaders(200, 0);
            try (OutputStream out = x.getResponseBody()) {
                byte[] chunk = new byte[65536];
                for (long left = n; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
            return;
        }
        String text = path.equals("/echo") ? x.getRequestMethod() + " " + uri + " body=" + body + "\n" : "hello from upstream\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain");
        x.sendResponseHeaders(200, x.getRequestMethod().equals("HEAD") ? -1 : bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            if (!x.getRequestMethod().equals("HEAD")) {
                out.write(bytes);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Seen> seen() {
        return seen;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
