package dev.egressguard.server.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.config.ApprovalSettings;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.server.support.Approver;
import dev.egressguard.server.support.Approver.Script;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The approval client against a real approver on loopback. */
class ApprovalClientIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ApprovalRequest GITHUB = new ApprovalRequest("coder", "api.github.com", 443, "connect");

    private Approver approver;
    private ApprovalTransport transport;

    @BeforeEach
    void start() throws IOException {
        approver = new Approver();
        transport = new ApprovalTransport();
    }

    @AfterEach
    void stop() {
        transport.close();
        approver.close();
    }

    private ApprovalClient client(Duration timeout) {
        return new ApprovalClient(new ApprovalSettings(approver.url(), timeout, Duration.ofMinutes(10)), transport);
    }

    private static ApprovalResult await(CompletableFuture<ApprovalResult> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anAllowIsAllowedAndTheApproverSeesOnlyIdentityHostPortAndMode() throws Exception {
        ApprovalResult r = await(client(Duration.ofSeconds(5)).ask(GITHUB));
        assertThat(r.isAllowed()).isTrue();
        assertThat(r.denial("destinations.coder.ask[0]:*.github.com")).isEmpty();
        assertThat(r.auditText()).isEqualTo("allow");
        assertThat(approver.calls()).hasSize(1);
        Approver.Call call = approver.calls().get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/decide");
        assertThat(call.headers().get("Content-type")).containsExactly("application/json");
        JsonNode body = JSON.readTree(call.body());
        assertThat(body.size()).isEqualTo(4);
        assertThat(body.get("identity").asText()).isEqualTo("coder");
        assertThat(body.get("host").asText()).isEqualTo("api.github.com");
        assertThat(body.get("port").asInt()).isEqualTo(443);
        assertThat(body.get("mode").asText()).isEqualTo("connect");
        assertThat(call.headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("Authorization") || h.equalsIgnoreCase("Cookie"));
    }

    @Test
    void aDenyCarriesTheApproversMessageCleanedAndBounded() throws Exception {
        String hostile = "no \\u001b[31mgists\\u202e today\\n\\r\\tplease" + "x".repeat(400);
        approver.answer(Script.json("{\"decision\":\"deny\",\"message\":\"" + hostile + "\",\"ticket\":{\"id\":[1,2]}}"));
        ApprovalResult r = await(client(Duration.ofSeconds(5)).ask(GITHUB));
        assertThat(r.outcome()).isEqualTo(ApprovalOutcome.DENY);
        String m = r.message().orElseThrow();
        assertThat(m).startsWith("no [31mgists today please").endsWith("…").doesNotContain("\u001b", "\u202e", "\n", "\r", "\t");
        assertThat(m.codePointCount(0, m.length())).isEqualTo(ApprovalBodies.MAX_MESSAGE + 1);
        assertThat(r.denial("destinations.coder.ask[0]:*.github.com").orElseThrow().reason()).isEqualTo(Reason.APPROVAL_DENIED);
        assertThat(r.auditText()).startsWith("deny: no [31mgists today please");
        approver.answer(Script.json("{\"decision\":\"deny\",\"message\":null}"));
        ApprovalResult plain = await(client(Duration.ofSeconds(5)).ask(GITHUB));
        assertThat(plain.message()).isEmpty();
        assertThat(plain.auditText()).isEqualTo("deny");
    }

    @Test
    void aSlowApproverTimesOutAndTheTimeoutIsNotRemembered() throws Exception {
        approver.answer(Script.json("{\"decision\":\"allow\"}").after(Duration.ofSeconds(3)));
        ApprovalClient c = client(Duration.ofMillis(300));
        long start = System.nanoTime();
        ApprovalResult r = await(c.ask(GITHUB));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(r.outcome()).isEqualTo(ApprovalOutcome.TIMEOUT);
        assertThat(r.denial("rule").orElseThrow().reason()).isEqualTo(Reason.APPROVAL_TIMEOUT);
        assertThat(r.auditText()).isEqualTo("timeout");
        assertThat(ms).isBetween(250L, 2_500L);
        assertThat(await(c.ask(GITHUB)).outcome()).isEqualTo(ApprovalOutcome.TIMEOUT);
        assertThat(approver.calls()).hasSize(2);
        assertThat(c.pending()).isZero();
    }

    @Test
    void errorsDenyAndAreNotRemembered() throws Exception {
        List<Script> broken = List.of(
                new Script(500, "{\"decision\":\"allow\"}", Duration.ZERO, null),
                new Script(302, "", Duration.ZERO, null),
                Script.json("{decision: allow"),
                Script.json("{\"decision\":\"maybe\"}"),
                Script.json("{\"decision\":\"ALLOW\"}"),
                Script.json("[\"allow\"]"),
                Script.json("{\"decision\":\"allow\",\"decision\":\"deny\"}"),
                Script.json("{\"decision\":\"allow\"} trailing"),
                Script.json("{\"decision\":true}"),
                Script.json("{}"),
                Script.json(""),
                Script.json("{\"decision\":\"allow\",\"pad\":\"" + "x".repeat(20_000) + "\"}"));
        List<String> details = new ArrayList<>();
        for (Script s : broken) {
            approver.answer(s);
            ApprovalClient c = client(Duration.ofSeconds(5));
            int before = approver.calls().size();
            ApprovalResult r = await(c.ask(GITHUB));
            assertThat(r.outcome()).as(s.body()).isEqualTo(ApprovalOutcome.ERROR);
            assertThat(r.denial("rule").orElseThrow().reason()).isEqualTo(Reason.APPROVAL_ERROR);
            assertThat(await(c.ask(GITHUB)).cached()).as("errors are not remembered").isFalse();
            assertThat(approver.calls()).hasSize(before + 2);
            details.add(r.detail().orElseThrow());
        }
        assertThat(details).containsExactly("HTTP 500", "HTTP 302", "malformed answer", "unknown decision", "unknown decision",
                "malformed answer", "malformed answer", "malformed answer", "malformed answer", "answer without a decision",
                "malformed answer", "answer larger than 16384 bytes");
    }

    @Test
    void anUnreachableApproverIsAnError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        ApprovalClient c = new ApprovalClient(new ApprovalSettings(URI.create("http://127.0.0.1:" + port + "/decide"),
                Duration.ofSeconds(5), Duration.ofMinutes(10)), transport);
        ApprovalResult r = await(c.ask(GITHUB));
        assertThat(r.outcome()).isEqualTo(ApprovalOutcome.ERROR);
        assertThat(r.auditText()).isEqualTo("error: approver unreachable (connection refused)");
    }

    @Test
    void fiftyConcurrentAsksForOneKeyMakeOneCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        approver.answer(Script.json("{\"decision\":\"allow\",\"message\":\"ok\"}").heldBy(release));
        ApprovalClient c = client(Duration.ofSeconds(5));
        List<CompletableFuture<ApprovalResult>> asks = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Thread t = new Thread(() -> {
                synchronized (asks) {
                    asks.add(c.ask(GITHUB));
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(5_000);
        }
        assertThat(asks).hasSize(50);
        assertThat(c.pending()).isEqualTo(1);
        release.countDown();
        for (CompletableFuture<ApprovalResult> f : asks) {
            assertThat(await(f).isAllowed()).isTrue();
            assertThat(await(f).message()).contains("ok");
        }
        assertThat(approver.calls()).hasSize(1);
        assertThat(c.pending()).isZero();
    }

    @Test
    void answersAreRememberedForCacheForPerIdentityHostAndPort() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        ApprovalClient c = new ApprovalClient(new ApprovalSettings(approver.url(), Duration.ofSeconds(5), Duration.ofMinutes(10)),
                transport, ApprovalClient.MAX_IN_FLIGHT, ApprovalClient.MAX_CACHED, now::get);
        approver.answer(Script.json("{\"decision\":\"deny\",\"message\":\"not today\"}"));
        assertThat(await(c.ask(GITHUB)).cached()).isFalse();
        ApprovalResult again = await(c.ask(new ApprovalRequest("coder", "api.github.com", 443, "forward")));
        assertThat(again.cached()).as("the mode is not part of the key").isTrue();
        assertThat(again.auditText()).isEqualTo("deny: not today (cached)");
        assertThat(approver.calls()).hasSize(1);
        await(c.ask(new ApprovalRequest("coder", "api.github.com", 8443, "connect")));
        await(c.ask(new ApprovalRequest("ci", "api.github.com", 443, "connect")));
        assertThat(approver.calls()).hasSize(3);
        now.addAndGet(Duration.ofMinutes(10).toNanos() - 1);
        assertThat(await(c.ask(GITHUB)).cached()).isTrue();
        now.addAndGet(1);
        assertThat(await(c.ask(GITHUB)).cached()).as("expired after cacheFor").isFalse();
        assertThat(approver.calls()).hasSize(4);
        // a reload makes a new client: nothing is remembered
        assertThat(await(client(Duration.ofSeconds(5)).ask(GITHUB)).cached()).isFalse();
        assertThat(approver.calls()).hasSize(5);
    }

    @Test
    void theNumberOfApprovalsInFlightIsBoundedAndTheCacheTooFailingClosed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        approver.answer(Script.json("{\"decision\":\"allow\"}").heldBy(release));
        ApprovalClient c = new ApprovalClient(new ApprovalSettings(approver.url(), Duration.ofSeconds(5), Duration.ofMinutes(10)),
                transport, 2, 2, System::nanoTime);
        CompletableFuture<ApprovalResult> a = c.ask(new ApprovalRequest("coder", "a.example", 443, "connect"));
        CompletableFuture<ApprovalResult> b = c.ask(new ApprovalRequest("coder", "b.example", 443, "connect"));
        CompletableFuture<ApprovalResult> sameAsA = c.ask(new ApprovalRequest("coder", "a.example", 443, "forward"));
        ApprovalResult third = await(c.ask(new ApprovalRequest("coder", "c.example", 443, "connect")));
        assertThat(third.outcome()).isEqualTo(ApprovalOutcome.ERROR);
        assertThat(third.detail()).contains("more than 2 approvals at once");
        release.countDown();
        assertThat(await(a).isAllowed()).isTrue();
        assertThat(await(b).isAllowed()).isTrue();
        assertThat(await(sameAsA).isAllowed()).isTrue();
        assertThat(approver.calls()).hasSize(2);
        assertThat(c.pending()).isZero();
        // two answers are remembered at most: the oldest is forgotten first, and asked again
        ApprovalClient small = new ApprovalClient(new ApprovalSettings(approver.url(), Duration.ofSeconds(5), Duration.ofMinutes(10)),
                transport, 2, 2, System::nanoTime);
        for (String host : List.of("x.example", "y.example", "z.example")) {
            assertThat(await(small.ask(new ApprovalRequest("coder", host, 443, "connect"))).cached()).isFalse();
        }
        assertThat(small.remembered()).isEqualTo(2);
        assertThat(await(small.ask(new ApprovalRequest("coder", "z.example", 443, "connect"))).cached()).isTrue();
        assertThat(await(small.ask(new ApprovalRequest("coder", "y.example", 443, "connect"))).cached()).isTrue();
        assertThat(await(small.ask(new ApprovalRequest("coder", "x.example", 443, "connect"))).cached()).isFalse();
        assertThat(approver.calls()).hasSize(6);
    }

    @Test
    void aNettyCallerIsAnsweredOnItsEventLoop() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            ApprovalClient c = client(Duration.ofSeconds(5));
            AtomicBoolean onLoop = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            Future<ApprovalResult> f = c.ask(GITHUB, loop);
            f.addListener(x -> {
                onLoop.set(loop.inEventLoop());
                done.countDown();
            });
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(onLoop).isTrue();
            assertThat(f.getNow().isAllowed()).isTrue();
            // from the cache, asked on the loop itself: completed before ask returns
            Future<ApprovalResult> cached = loop.submit(() -> c.ask(GITHUB, loop)).get(10, TimeUnit.SECONDS);
            assertThat(cached.isDone()).isTrue();
            assertThat(cached.getNow().cached()).isTrue();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theJvmsProxySettingsAreNeverUsed() throws Exception {
        ProxySelector previous = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", 1)));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
        });
        try (ApprovalTransport routed = new ApprovalTransport()) {
            ApprovalClient c = new ApprovalClient(new ApprovalSettings(approver.url(), Duration.ofSeconds(5), Duration.ofMinutes(10)), routed);
            assertThat(await(c.ask(GITHUB)).isAllowed()).isTrue();
            assertThat(approver.calls()).hasSize(1);
        } finally {
            ProxySelector.setDefault(previous);
        }
    }

    @Test
    void aClosedTransportIsAnErrorNotAHang() throws Exception {
        ApprovalClient c = client(Duration.ofSeconds(5));
        transport.close();
        ApprovalResult r = await(c.ask(GITHUB));
        assertThat(r.outcome()).isEqualTo(ApprovalOutcome.ERROR);
        assertThat(c.pending()).isZero();
    }
}
