package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.Approver;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.TestCa;
import dev.egressguard.server.support.TunnelClient;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS interception under the policy's other keys: the operator's CA from files, per-identity
 * entries, a rule that asks the approver, report mode, keep-alive with a body, a reload that keeps
 * the CA (and one the CA cannot sign for), and tunnels that are not intercepted.
 */
class TlsInterceptionModesIT {
    static TestCa originCa;
    static TestCa operatorCa;
    static HttpUpstream api;
    static HttpUpstream plain;
    static Approver approver;
    static Path dir;
    static ProxyHarness harness;
    static String policy;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("eg-tls-modes");
        originCa = TestCa.create("origins");
        operatorCa = TestCa.create("operator interception CA");
        api = HttpUpstream.https("127.0.0.1", originCa.serverFor("api.eg.test"));
        plain = HttpUpstream.https("127.0.0.1", originCa.serverFor("plain.eg.test"));
        approver = new Approver();
        Path token = Files.writeString(dir.resolve("token"), "per-identity-secret");
        policy = "mode: MODE\n"
                + "identities:\n  - {name: coder, clients: [127.0.0.1/32]}\n"
                + "allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + api.port() + ", " + plain.port() + "]\n    reason: test origins\n"
                + "approvals:\n  url: " + approver.url() + "\n"
                + "destinations:\n"
                + "  default:\n    default: allow\n"
                + "  coder:\n    default: allow\n"
                + "    intercept:\n"
                + "      - host: api.eg.test\n"
                + "        rules:\n"
                + "          - {methods: [POST], path: /uploads, action: allow}\n"
                + "          - {methods: [POST], path: \"/repos/*/issues\", action: ask}\n"
                + "          - {methods: [GET], path: \"/**\", action: allow}\n"
                + "        credential: {secret: {file: " + token + "}, header: X-Api-Key, format: \"{secret}\"}\n"
                + "tls:\n"
                + "  ca: {cert: " + operatorCa.writePem(dir.resolve("ca.pem")) + ", key: " + operatorCa.writeKey(dir.resolve("ca-key.pem")) + "}\n"
                + "  upstreamTrust: [" + originCa.writePem(dir.resolve("origins.pem")) + "]\n"
                + "  intercept:\n"
                + "    - host: api.eg.test\n      rules: [{methods: [GET], path: /public/**, action: allow}]\n";
        harness = new ProxyHarness(policy.replace("MODE", "enforce"));
        for (String name : List.of("api.eg.test", "plain.eg.test", "new.eg.test")) {
            harness.dns.answer(name, List.of("127.0.0.1"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        api.close();
        plain.close();
        approver.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    /** A client from 127.0.0.1: identity coder. */
    private static HttpClient client() throws Exception {
        return HttpClient.newBuilder().proxy(ProxySelector.of(harness.address())).version(HttpClient.Version.HTTP_1_1)
                .sslContext(TestCa.clientTrusting(operatorCa.certificate(), originCa.certificate())).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static String url(String path) {
        return "https://api.eg.test:" + api.port() + path;
    }

    @Test
    void eachIdentityMeetsItsOwnRulesAndCredentialUnderTheOperatorsCa() throws Exception {
        HttpClient alice = client();
        HttpResponse<String> get = alice.send(HttpRequest.newBuilder(URI.create(url("/private/x"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(api.seen()).filteredOn(s -> s.uri().equals("/private/x")).singleElement()
                .satisfies(s -> assertThat(s.headers().get("X-api-key")).containsExactly("per-identity-secret"));
        AuditEvent d = harness.audit.await(e -> "intercept".equals(e.mode()) && e.event().equals("decision") && "/private/x".equals(e.path())
                || "intercept".equals(e.mode()) && e.event().equals("decision") && "destinations.coder.intercept[0].rules[2]".equals(e.rule()),
                Duration.ofSeconds(10));
        assertThat(d.identity()).isEqualTo("coder");
        assertThat(d.path()).as("audit.paths is off").isNull();
    }

    @Test
    void aRuleThatAsksConsultsTheApproverWithRuleAndMethodNeverThePath() throws Exception {
        approver.answer(Approver.Script.json("{\"decision\":\"deny\",\"message\":\"not today\"}"));
        HttpResponse<String> denied = client().send(HttpRequest.newBuilder(URI.create(url("/repos/tools/issues")))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("approval.denied").contains("not today");
        assertThat(approver.calls()).isNotEmpty().allSatisfy(c -> assertThat(c.body()).doesNotContain("/repos"));
        assertThat(approver.calls().get(approver.calls().size() - 1).body()).contains("\"mode\":\"intercept\"")
                .contains("\"rule\":\"destinations.coder.intercept[0].rules[1]\"").contains("\"method\":\"POST\"");
        assertThat(api.seen()).noneMatch(s -> s.uri().startsWith("/repos/tools/issues"));
    }

    @Test
    void bodiesStreamUpAndKeepAliveReusesTheVerifiedUpstream() throws Exception {
        HttpClient alice = client();
        int dials = harness.dials.dials().size();
        byte[] body = new byte[3 * 1024 * 1024];
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = alice.send(HttpRequest.newBuilder(URI.create(url("/uploads"))).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        assertThat(api.seen()).filteredOn(s -> s.uri().equals("/uploads")).hasSize(3).allSatisfy(s -> assertThat(s.bodyBytes()).isEqualTo(body.length));
        assertThat(harness.dials.dials().size() - dials).as("one tunnel, one upstream").isEqualTo(1);
        HttpResponse<String> big = alice.send(HttpRequest.newBuilder(URI.create(url("/bytes?n=5000000"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(big.body()).hasSize(5_000_000);
    }

    @Test
    void aTunnelThatIsNotInterceptedIsRelayedAfterItsSniCheckEvenWithoutTls() throws Exception {
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("https://plain.eg.test:" + plain.port() + "/echo")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET /echo body=0\n");
        assertThat(harness.audit.events()).noneMatch(e -> "plain.eg.test".equals(e.host()) && ("intercept".equals(e.mode()) || "tls".equals(e.mode())));
    }

    @Test
    void aReloadKeepsTheCaAndOneItCannotSignForIsRefused() throws Exception {
        String prefix = "listen: 127.0.0.1:0\ndns:\n  servers: [\"127.0.0.1:" + harness.dns.port() + "\"]\n  timeout: 2s\n";
        harness.proxy.reload(PolicyFileLoader.parse(prefix + policy.replace("MODE", "report"), "reloaded"));
        HttpResponse<String> reported = client().send(HttpRequest.newBuilder(URI.create(url("/not-listed"))).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reported.statusCode()).as("report mode lets it through").isEqualTo(200);
        harness.audit.await(e -> "would_deny".equals(e.verdict()) && "http.rule_denied".equals(e.reason()), Duration.ofSeconds(10));
        String ephemeral = prefix + "tls:\n  intercept:\n    - host: api.eg.test\n      rules: []\n";
        harness.proxy.reload(PolicyFileLoader.parse(ephemeral, "ephemeral"));
        String outside = ephemeral.replace("api.eg.test", "new.eg.test");
        assertThatThrownBy(() -> harness.proxy.reload(PolicyFileLoader.parse(outside, "outside"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside the ephemeral CA's NameConstraints");
        assertThat(harness.proxy.policy().source()).isEqualTo("ephemeral");
        harness.proxy.reload(PolicyFileLoader.parse(prefix + policy.replace("MODE", "enforce"), "back"));
    }

    @Test
    void anotherIdentityMeetsTheTlsBlocksEntryAndVerifiesTheOperatorsCa() throws Exception {
        SSLContext onlyOperator = TestCa.clientTrusting(operatorCa.certificate());
        for (String path : List.of("/public/readme", "/private")) {
            try (TunnelClient t = TunnelClient.connect(harness.port(), "api.eg.test:" + api.port(), 2)) { // 127.0.0.2: identity default
                t.handshake(onlyOperator, "api.eg.test", List.of("http/1.1"));
                t.send("GET " + path + " HTTP/1.1\r\nHost: api.eg.test:" + api.port() + "\r\nConnection: close\r\n\r\n");
                assertThat(t.readAll()).startsWith(path.equals("/private") ? "HTTP/1.1 403 " : "HTTP/1.1 200 ");
            }
        }
        assertThat(api.seen()).filteredOn(s -> s.uri().equals("/public/readme")).singleElement()
                .satisfies(s -> assertThat(s.headers()).doesNotContainKey("X-api-key"));
        harness.audit.await(e -> "default".equals(e.identity()) && "tls.intercept[0].rules:none".equals(e.rule()), Duration.ofSeconds(10));
    }
}
