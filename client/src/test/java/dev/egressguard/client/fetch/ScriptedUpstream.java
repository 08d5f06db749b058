package dev.egressguard.client.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The upstream stand-in: one plain and one TLS server on 127.0.0.1 that answer requests, in
 * arrival order, with a shared script of replies, and record every request they receive. A
 * request past the end of the script gets a 599, which no test expects.
 */
final class ScriptedUpstream implements AutoCloseable {
    /** One scripted reply. */
    record Reply(int status, Map<String, String> headers, byte[] body, boolean chunked) {
        static Reply ok(String body) {
            return new Reply(200, Map.of(), body.getBytes(StandardCharsets.UTF_8), false);
        }

        static Reply status(int status) {
            return new Reply(status, Map.of(), new byte[0], false);
        }

        static Reply redirect(int status, String location) {
            return new Reply(status, Map.of("Location", location), new byte[0], false);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, chunked);
        }

        Reply chunkedBody() {
            return new Reply(status, headers, body, true);
        }
    }

    /** What the stand-in received. Header names are lowercased. */
    record Recorded(boolean tls, String method, String target, Map<String, List<String>> headers, byte[] body) {
        Optional<String> header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer http;
    private final HttpsServer https;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "scripted-upstream");
        t.setDaemon(true);
        return t;
    });
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();

    ScriptedUpstream(TestTls tls) throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        http = HttpServer.create(any, 16);
        https = HttpsServer.create(any, 16);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext));
        http.createContext("/", ex -> handle(ex, false));
        https.createContext("/", ex -> handle(ex, true));
        http.setExecutor(executor);
        https.setExecutor(executor);
        http.start();
        https.start();
    }

    ScriptedUpstream enqueue(Reply... replies) {
        Collections.addAll(script, replies);
        return this;
    }

    InetSocketAddress httpAddress() {
        return http.getAddress();
    }

    InetSocketAddress httpsAddress() {
        return https.getAddress();
    }

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex, boolean tls) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            requests.add(new Recorded(tls, ex.getRequestMethod(), ex.getRequestURI().toString(), headers, body));
            Reply reply = script.poll();
            if (reply == null) {
                reply = new Reply(599, Map.of(), "no scripted response left".getBytes(StandardCharsets.UTF_8), false);
            }
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] out = reply.body();
            ex.sendResponseHeaders(reply.status(), reply.chunked() ? 0 : out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        https.stop(0);
        executor.shutdownNow();
    }

    /** Each request as {@code "https GET /path"}, in arrival order. */
    List<String> summary() {
        List<String> out = new ArrayList<>();
        requests.forEach(r -> out.add((r.tls() ? "https " : "http ") + r.method() + " " + r.target()));
        return out;
    }
}
