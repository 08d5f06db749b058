package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.Approver;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.SinkListener;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may reach which destinations, through a real proxy: identities by proxy user and by source
 * address, per-identity allow/deny/ask patterns, a real approver on loopback, denials an agent can
 * read, and the built-in denylist still judging every address. Names under {@code .test} resolve
 * (through a real DNS server on loopback UDP) to 127.0.0.1, and one cidr rule opens the test
 * origin's port there — as an operator opens a local model server — so every dial stays on loopback.
 */
class AgentEgressIT {
    private static final String PASSWORD = "correct horse";
    private static final ObjectMapper JSON = new ObjectMapper();

    static HttpUpstream origin;
    static SinkListener sink;
    static Approver approver;
    static ProxyHarness proxy;

    static String policy(String mode) {
        String hash = PasswordHash.of(PASSWORD.toCharArray()).encoded();
        return "mode: " + mode + "\n"
                + "auth:\n  users:\n    - name: alice\n      passwordHash: \"" + hash + "\"\n    - name: bob\n      passwordHash: \"" + hash + "\"\n"
                + "identities:\n  - name: coder\n    users: [alice]\n  - name: ci\n    clients: [127.0.0.2/32]\n"
                + "destinations:\n  default:\n    default: allow\n"
                + "  coder:\n    default: deny\n    allow: [\"api.agents.test:" + origin.port() + "\", \"*.mirror.test\"]\n"
                + "    deny: [\"bad.mirror.test\"]\n    ask: [\"*.ask.test\"]\n"
                + "    message: \"coder may reach the model API and package mirrors only\"\n"
                + "  ci:\n    default: deny\n    allow: [\"*.mirror.test\"]\n"
                + "approvals:\n  url: " + approver.url() + "\n  timeout: 1s\n  cacheFor: 10m\n"
                + "allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port() + "]\n    reason: the test origin\n";
    }

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.1");
        sink = new SinkListener("127.0.0.1", 0);
        approver = new Approver();
        proxy = new ProxyHarness(policy("enforce"));
        for (String name : List.of("api.agents.test", "other.test", "bad.mirror.test", "pkg.mirror.test", "ok.ask.test", "no.ask.test",
                "slow.ask.test", "err.ask.test", "junk.ask.test", "burst.ask.test", "again.ask.test")) {
            proxy.dns.answer(name, List.of("127.0.0.1"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        approver.close();
        sink.close();
        origin.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    /** A GET through the proxy as {@code user} (null: no credentials), from {@code from}; the whole answer. */
    static String get(ProxyHarness h, String from, String user, String hostPort, boolean json) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(h.address());
            s.setSoTimeout(10_000);
            String auth = user == null ? "" : "Proxy-Authorization: Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
            OutputStream out = s.getOutputStream();
            out.write(("GET http://" + hostPort + "/echo HTTP/1.1\r\nHost: " + hostPort + "\r\n" + auth + (json ? "Accept: application/json\r\n" : "")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String asAlice(String hostPort) throws Exception {
        return get(proxy, "127.0.0.1", "alice", hostPort, true);
    }

    static JsonNode body(String answer) throws Exception {
        return JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }

    static AuditEvent decisionFor(ProxyHarness h, String host) {
        return h.audit.await(e -> e.event().equals("decision") && host.equals(e.host()), Duration.ofSeconds(10));
    }

    @Test
    void anAllowedNameReachesTheOriginAndIsAuditedWithItsIdentity() throws Exception {
        String a = "api.agents.test:" + origin.port();
        assertThat(asAlice(a)).startsWith("HTTP/1.1 200 ");
        AuditEvent d = decisionFor(proxy, "api.agents.test");
        assertThat(d.identity()).isEqualTo("coder");
        assertThat(d.user()).isEqualTo("alice");
        assertThat(d.verdict()).isEqualTo("allow");
        assertThat(d.addresses()).containsExactly("127.0.0.1");
    }

    @Test
    void aNameOffTheListIsDeniedBeforeDnsWithAJsonBodyAnAgentCanRead() throws Exception {
        String answer = asAlice("other.test:" + origin.port());
        assertThat(answer).startsWith("HTTP/1.1 403 Forbidden (egressguard: dest.not_allowed)").contains("content-type: application/json");
        JsonNode b = body(answer);
        assertThat(b.get("error").asText()).isEqualTo("egress_denied");
        assertThat(b.get("reason").asText()).isEqualTo("dest.not_allowed");
        assertThat(b.get("host").asText()).isEqualTo("other.test");
        assertThat(b.get("port").asInt()).isEqualTo(origin.port());
        assertThat(b.get("identity").asText()).isEqualTo("coder");
        assertThat(b.get("rule").asText()).isEqualTo("destinations.coder.default:deny");
        assertThat(b.get("message").asText()).isEqualTo("coder may reach the model API and package mirrors only");
        assertThat(b.get("hint").asText()).contains("other.test:" + origin.port()).contains("operator");
        assertThat(b.has("addresses")).isFalse();
        assertThat(proxy.dns.queries("other.test")).as("refused before DNS").isZero();
        AuditEvent d = decisionFor(proxy, "other.test");
        assertThat(d.identity()).isEqualTo("coder");
        assertThat(d.reason()).isEqualTo("dest.not_allowed");
    }

    @Test
    void aDenyPatternWinsOverAWildcardAllow() throws Exception {
        String answer = asAlice("bad.mirror.test:" + origin.port());
        assertThat(answer).startsWith("HTTP/1.1 403 Forbidden (egressguard: dest.denied)");
        assertThat(body(answer).get("rule").asText()).isEqualTo("destinations.coder.deny[0]:bad.mirror.test");
    }

    @Test
    void theBuiltInDenylistStillWinsForANameOnTheAllowList() throws Exception {
        String answer = asAlice("pkg.mirror.test:" + sink.port()); // allowed by name; resolves to loopback on a port no rule opens
        assertThat(answer).startsWith("HTTP/1.1 403 Forbidden (egressguard: ip.loopback)");
        assertThat(body(answer).get("reason").asText()).isEqualTo("ip.loopback");
        assertThat(body(answer).has("addresses")).as("no resolved address of a private target").isFalse();
        assertThat(sink.connections()).isZero();
    }

    @Test
    void theApproverDecidesAskPatternsAndItsAnswersAreRemembered() throws Exception {
        approver.answer(Approver.Script.json("{\"decision\":\"allow\"}"));
        int before = approver.calls().size();
        assertThat(asAlice("ok.ask.test:" + origin.port())).startsWith("HTTP/1.1 200 ");
        assertThat(asAlice("ok.ask.test:" + origin.port())).startsWith("HTTP/1.1 200 ");
        assertThat(approver.calls()).hasSize(before + 1);
        JsonNode asked = JSON.readTree(approver.calls().get(before).body());
        assertThat(asked.get("identity").asText()).isEqualTo("coder");
        assertThat(asked.get("host").asText()).isEqualTo("ok.ask.test");
        assertThat(asked.get("port").asInt()).isEqualTo(origin.port());
        assertThat(asked.get("mode").asText()).isEqualTo("forward");
        assertThat(asked.size()).as("names, a port, an identity, a mode: nothing else").isEqualTo(4);
        List<AuditEvent> approvals = proxy.audit.events().stream()
                .filter(e -> e.event().equals("decision") && "ok.ask.test".equals(e.host())).toList();
        assertThat(approvals).extracting(AuditEvent::approval).containsExactly("allow", "allow (cached)");
    }

    @Test
    void whatTheApproverSaysOrFailsToSayDenies() throws Exception {
        approver.answer(Approver.Script.json("{\"decision\":\"deny\",\"message\":\"not during the freeze\"}"));
        String no = asAlice("no.ask.test:" + origin.port());
        assertThat(no).startsWith("HTTP/1.1 403 Forbidden (egressguard: approval.denied)");
        assertThat(body(no).get("message").asText()).isEqualTo("not during the freeze");
        assertThat(decisionFor(proxy, "no.ask.test").approval()).isEqualTo("deny: not during the freeze");

        approver.answer(Approver.Script.json("{\"decision\":\"allow\"}").after(Duration.ofSeconds(3)));
        assertThat(asAlice("slow.ask.test:" + origin.port())).startsWith("HTTP/1.1 403 Forbidden (egressguard: approval.timeout)");

        approver.answer(new Approver.Script(500, "{}", Duration.ZERO, null));
        assertThat(asAlice("err.ask.test:" + origin.port())).startsWith("HTTP/1.1 403 Forbidden (egressguard: approval.error)");

        approver.answer(Approver.Script.json("{\"decision\":"));
        assertThat(asAlice("junk.ask.test:" + origin.port())).startsWith("HTTP/1.1 403 Forbidden (egressguard: approval.error)");
        assertThat(origin.seen()).as("nothing the approver did not allow reached the origin").noneMatch(s -> {
            String host = s.headers().getOrDefault("Host", List.of()).toString();
            return host.contains("no.ask.test") || host.contains("slow.ask.test") || host.contains("err.ask.test") || host.contains("junk.ask.test");
        });
    }

    @Test
    void fiftyConcurrentRequestsForOneHostShareOneApproval() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        approver.answer(Approver.Script.json("{\"decision\":\"allow\"}").heldBy(release));
        int before = approver.calls().size();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                answers.add(pool.submit(() -> asAlice("burst.ask.test:" + origin.port())));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (approver.calls().size() == before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300); // the other 49 arrive while the one call is held
            release.countDown();
            for (Future<String> f : answers) {
                assertThat(f.get()).startsWith("HTTP/1.1 200 ");
            }
            assertThat(approver.calls()).hasSize(before + 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anIdentityBySourceAddressAndTheDefaultForEveryoneElse() throws Exception {
        assertThat(get(proxy, "127.0.0.2", "bob", "pkg.mirror.test:" + origin.port(), false)).startsWith("HTTP/1.1 200 ");
        assertThat(proxy.audit.await(e -> e.event().equals("decision") && "pkg.mirror.test".equals(e.host())
                && Integer.valueOf(origin.port()).equals(e.port()), Duration.ofSeconds(10)).identity()).isEqualTo("ci");
        String ci = get(proxy, "127.0.0.2", "bob", "api.agents.test:" + origin.port(), false);
        assertThat(ci).startsWith("HTTP/1.1 403 Forbidden (egressguard: dest.not_allowed)").contains("text/plain")
                .contains("rule destinations.ci.default:deny");
        assertThat(get(proxy, "127.0.0.1", "bob", "other.test:" + origin.port(), false)).as("bob from 127.0.0.1: the default identity")
                .startsWith("HTTP/1.1 200 ");
        assertThat(get(proxy, "127.0.0.1", null, "other.test:" + origin.port(), false)).startsWith("HTTP/1.1 407 ");
    }

    @Test
    void metricsAndTheStatusPageCountByIdentity() throws Exception {
        asAlice("other.test:" + origin.port());
        String metrics = proxy.proxy.metrics().prometheus();
        assertThat(metrics).contains("egressguard_decisions_total{identity=\"coder\",mode=\"forward\",verdict=\"deny\",reason=\"dest.not_allowed\"}");
        assertThat(proxy.proxy.metrics().identities()).anySatisfy(r -> {
            assertThat(r.identity()).isEqualTo("coder");
            assertThat(r.denied()).isPositive();
            assertThat(r.topDenied()).extracting(e -> e.getKey()).contains("other.test:" + origin.port());
        });
    }

    @Test
    void reportModeLetsEverythingThroughRecordsWouldDenyAndAsksNobody() throws Exception {
        try (ProxyHarness report = new ProxyHarness(policy("report"))) {
            report.dns.answer("other.test", List.of("127.0.0.1"));
            report.dns.answer("quiet.ask.test", List.of("127.0.0.1"));
            int before = approver.calls().size();
            assertThat(get(report, "127.0.0.1", "alice", "other.test:" + origin.port(), false)).startsWith("HTTP/1.1 200 ");
            AuditEvent d = decisionFor(report, "other.test");
            assertThat(d.verdict()).isEqualTo("would_deny");
            assertThat(d.reason()).isEqualTo("dest.not_allowed");
            assertThat(get(report, "127.0.0.1", "alice", "quiet.ask.test:" + origin.port(), false)).startsWith("HTTP/1.1 200 ");
            assertThat(decisionFor(report, "quiet.ask.test").reason()).isEqualTo("approval.required");
            assertThat(approver.calls()).hasSize(before);
        }
    }

    @Test
    void aReloadForgetsTheApprovalsAnswers() throws Exception {
        approver.answer(Approver.Script.json("{\"decision\":\"allow\"}"));
        int before = approver.calls().size();
        assertThat(asAlice("again.ask.test:" + origin.port())).startsWith("HTTP/1.1 200 ");
        proxy.proxy.reload(PolicyFileLoader.parse("listen: 127.0.0.1:0\ndns:\n  servers: [\"127.0.0.1:" + proxy.dns.port() + "\"]\n"
                + policy("enforce"), "reloaded"));
        assertThat(asAlice("again.ask.test:" + origin.port())).startsWith("HTTP/1.1 200 ");
        assertThat(approver.calls()).hasSize(before + 2);
    }
}
