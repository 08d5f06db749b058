package dev.egressguard.server.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real approver on 127.0.0.1: answers {@code POST /decide} with what the test scripted (a status,
 * a body, optionally after a delay or once a latch opens), and records every call.
 */
public final class Approver implements AutoCloseable {
    /** One call as the approver saw it. */
    public record Call(String method, String path, Map<String, List<String>> headers, String body) {}

    /** What to answer: {@code hold} (if not null) must open first, then {@code delay} passes. */
    public record Script(int status, String body, Duration delay, CountDownLatch hold) {
        public static Script json(String body) {
            return new Script(200, body, Duration.ZERO, null);
        }

        public Script after(Duration d) {
            return new Script(status, this.body, d, hold);
        }

        public Script heldBy(CountDownLatch latch) {
            return new Script(status, this.body, delay, latch);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-approver");
        t.setDaemon(true);
        return t;
    });
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile Script script = Script.json("{\"decision\":\"allow\"}");

    public Approver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Answers every call from now on with {@code s}. */
    public Approver answer(Script s) {
        this.script = s;
        return this;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/decide");
    }

    public List<Call> calls() {
        return calls;
    }

    private void handle(HttpExchange ex) throws IOException {
        Script s = script;
        try (InputStream in = ex.getRequestBody()) {
            calls.add(new Call(ex.getRequestMethod(), ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
        try {
            if (s.hold() != null) {
                s.hold().await(10, TimeUnit.SECONDS);
            }
            if (!s.delay().isZero()) {
                Thread.sleep(s.delay().toMillis());
            }
            byte[] body = s.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(s.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (a timeout test): nothing to answer
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
