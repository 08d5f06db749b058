package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.readHead;
import static dev.egressguard.server.support.RawHttp.readResponse;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.RecordingAuditSink;
import dev.egressguard.server.support.ScriptedUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener, hot reload (on change, refusing invalid files) and graceful shutdown. */
class AdminAndReloadIT {
    private static final HttpClient DIRECT = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();

    @AfterAll
    static void leaks() throws Exception {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    private static HttpResponse<String> admin(ProxyServer p, String path) throws Exception {
        InetSocketAddress a = p.adminAddress().orElseThrow();
        return DIRECT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsHealthReadinessPolicyAndStatusReflectTraffic() throws Exception {
        String hash = PasswordHash.of("pw".toCharArray()).encoded();
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("admin:\n  listen: 127.0.0.1:0\n" + allow(origin.port()))) {
            assertThat(h.raw("GET http://127.0.0.1:" + origin.port() + "/echo HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port()
                    + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
            assertThat(h.raw("GET http://169.254.169.254/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n")).startsWith("HTTP/1.1 403 ");
            String metrics = admin(h.proxy, "/metrics").body();
            assertThat(metrics).contains("egressguard_decisions_total{identity=\"default\",mode=\"forward\",verdict=\"allow\",reason=\"allow.rule\"} 1")
                    .contains("egressguard_decisions_total{identity=\"default\",mode=\"forward\",verdict=\"deny\",reason=\"ip.metadata\"} 1")
                    .contains("# TYPE egressguard_connect_seconds histogram").contains("egressguard_connect_seconds_count 1")
                    .contains("egressguard_policy_generation 1").contains("egressguard_policy_reload_failures_total 0")
                    .contains("egressguard_active_connections ");
            assertThat(admin(h.proxy, "/healthz").statusCode()).isEqualTo(200);
            assertThat(admin(h.proxy, "/readyz").body()).isEqualTo("ready\n");
            JsonNode status = new ObjectMapper().readTree(admin(h.proxy, "/status.json").body());
            assertThat(status.get("recentDenials").get(0).get("host").asText()).isEqualTo("169.254.169.254");
            assertThat(status.get("recentDenials").get(0).get("reason").asText()).isEqualTo("ip.metadata");
            HttpResponse<String> page = admin(h.proxy, "/");
            assertThat(page.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("content-security-policy")).isPresent();
            assertThat(page.body()).contains("Latest denials");
            assertThat(admin(h.proxy, "/nope").statusCode()).isEqualTo(404);
            try (Socket rebound = new Socket("127.0.0.1", h.proxy.adminAddress().orElseThrow().getPort())) {
                rebound.setSoTimeout(5000);
                send(rebound, "GET /policy HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
                assertThat(readResponse(rebound.getInputStream())).as("DNS rebinding to the loopback admin listener").startsWith("HTTP/1.1 403 ");
            }
            assertThat(DIRECT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.proxy.adminAddress().orElseThrow().getPort() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        }
        try (ProxyServer p = ProxyServer.start(PolicyFileLoader.parse("listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\nauth:\n  users:\n"
                + "    - name: agent\n      passwordHash: \"" + hash + "\"\n", "t"), new RecordingAuditSink(), new LoopbackDialGuard())) {
            String policy = admin(p, "/policy").body();
            assertThat(policy).contains("name: \"agent\"").doesNotContain(hash).doesNotContain(hash.substring(hash.lastIndexOf('$') + 1));
        }
    }

    @Test
    void aChangedFileIsReloadedAnInvalidOneRefusedAndOpenTunnelsKeepRunning(@TempDir Path dir) throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             HttpUpstream other = HttpUpstream.http("127.0.0.1");
             ScriptedUpstream echo = new ScriptedUpstream((i, in, out) -> in.transferTo(out))) {
            Path file = dir.resolve("policy.yaml");
            String base = "listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n";
            Files.writeString(file, base + allow(origin.port(), echo.port()));
            RecordingAuditSink audit = new RecordingAuditSink();
            LoopbackDialGuard dials = new LoopbackDialGuard();
            try (ProxyServer p = ProxyServer.start(PolicyFileLoader.load(file), audit, dials);
                 PolicyWatcher watcher = new PolicyWatcher(file, p, Duration.ofMillis(100));
                 Socket tunnel = new Socket("127.0.0.1", p.address().getPort())) {
                tunnel.setSoTimeout(5000);
                send(tunnel, "CONNECT 127.0.0.1:" + echo.port() + " HTTP/1.1\r\nHost: 127.0.0.1:" + echo.port() + "\r\n\r\n");
                assertThat(readHead(tunnel.getInputStream())).startsWith("HTTP/1.1 200 ");
                assertThat(get(p, other)).as("not opened yet").startsWith("HTTP/1.1 403 ");

                replace(file, base + allow(origin.port(), other.port()));
                awaitGeneration(p, 2);
                assertThat(get(p, other)).as("opened by the reloaded policy").startsWith("HTTP/1.1 200 ");
                AuditEvent later = audit.await(e -> e.event().equals("decision") && Integer.valueOf(other.port()).equals(e.port())
                        && "allow".equals(e.verdict()), Duration.ofSeconds(5));
                assertThat(later.policyGeneration()).isEqualTo(2L);
                send(tunnel, "still here");
                assertThat(new String(tunnel.getInputStream().readNBytes(10), StandardCharsets.ISO_8859_1))
                        .as("a tunnel opened under generation 1 keeps running, though generation 2 closed its port").isEqualTo("still here");

                replace(file, base + "allow:\n  - cidr: 10.0.0.0/33\n    reason: broken\n");
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (p.metrics().reloadFailures() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(p.metrics().reloadFailures()).isEqualTo(1);
                assertThat(p.metrics().policyGeneration()).as("the invalid file changed nothing").isEqualTo(2);
                assertThat(get(p, other)).as("the old policy is still in force").startsWith("HTTP/1.1 200 ");
                assertThat(admin(p, "/metrics").body()).contains("egressguard_policy_reload_failures_total 1");

                replace(file, base + allow(origin.port()));
                // the watcher's poll takes the valid file (waiting for it: a forced reload racing the
                // poll made generation 3 or 4 depending on which ran first)
                awaitGeneration(p, 3);
                assertThat(get(p, other)).startsWith("HTTP/1.1 403 ");
                assertThat(watcher.reloadNow().get(5, TimeUnit.SECONDS)).as("a forced reload reloads an unchanged file")
                        .isEqualTo(PolicyWatcher.Outcome.RELOADED);
                assertThat(p.metrics().policyGeneration()).isEqualTo(4);
            }
            assertThat(dials.violations()).isEmpty();
        }
    }

    @Test
    void shutdownDrainsRequestsInFlightRefusesNewOnesAndReportsNotReady() throws Exception {
        CompletableFuture<Void> released = new CompletableFuture<>();
        try (ScriptedUpstream slow = new ScriptedUpstream((i, in, out) -> {
            readHead(in);
            released.get(10, TimeUnit.SECONDS);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        })) {
            ProxyServer p = ProxyServer.start(PolicyFileLoader.parse("listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n" + allow(slow.port()), "t"),
                    new RecordingAuditSink(), new LoopbackDialGuard());
            int adminPort = p.adminAddress().orElseThrow().getPort();
            try (Socket busy = new Socket("127.0.0.1", p.address().getPort());
                 Socket idle = new Socket("127.0.0.1", p.address().getPort())) {
                busy.setSoTimeout(10_000);
                idle.setSoTimeout(10_000);
                send(busy, "GET http://127.0.0.1:" + slow.port() + "/ HTTP/1.1\r\nHost: 127.0.0.1:" + slow.port() + "\r\n\r\n");
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (slow.connections() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> p.shutdown(Duration.ofSeconds(10)));
                deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                int ready = 200;
                while (ready == 200 && System.nanoTime() < deadline) {
                    ready = DIRECT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                }
                assertThat(ready).as("readyz while draining").isEqualTo(503);
                assertThat(idle.getInputStream().read()).as("an idle keep-alive connection is closed at once").isEqualTo(-1);
                released.complete(null);
                String answer = readResponse(busy.getInputStream());
                assertThat(answer).as("the request in flight finishes").startsWith("HTTP/1.1 200 ").endsWith("late")
                        .containsIgnoringCase("connection: close");
                assertThat(drained.get(15, TimeUnit.SECONDS)).as("connections left when the drain ended").isZero();
            }
        }
    }

    private static String get(ProxyServer p, HttpUpstream origin) throws Exception {
        try (Socket s = new Socket("127.0.0.1", p.address().getPort())) {
            s.setSoTimeout(5000);
            send(s, "GET http://127.0.0.1:" + origin.port() + "/echo HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port() + "\r\n\r\n");
            return readResponse(s.getInputStream());
        }
    }

    private static void awaitGeneration(ProxyServer p, long generation) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (p.metrics().policyGeneration() < generation && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(p.metrics().policyGeneration()).isEqualTo(generation);
    }

    /** Replaces the policy file as editors and config management do (write aside, rename over): the watcher never sees it half written. */
    private static void replace(Path file, String text) throws IOException {
        Path aside = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(aside, text);
        Files.move(aside, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
