package dev.egressguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.ProxyServer;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.Approver;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.RecordingAuditSink;
import dev.egressguard.server.support.SinkListener;
import dev.egressguard.server.support.TestDnsServer;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identities and destination rules with the clients agents use — curl, Python requests and the
 * JDK's HttpClient, each with Basic proxy credentials — and {@code egressguard check --identity}
 * (the real CLI jar, resolving through the same loopback DNS server) agreeing with the proxy on
 * every case. Every name resolves to 127.0.0.1; one cidr rule opens the test origin's port.
 */
@Tag("real-client")
class AgentEgressClientsIT {
    private static final String PASSWORD = "s3cret-pw";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static HttpUpstream origin;
    static SinkListener sink;
    static TestDnsServer dns;
    static Approver approver;
    static RecordingAuditSink audit;
    static LoopbackDialGuard dials;
    static ProxyServer proxy;
    static Path policyFile;

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.1");
        sink = new SinkListener("127.0.0.1", 0);
        dns = new TestDnsServer();
        for (String n : List.of("api.agents.test", "other.test", "bad.mirror.test", "pkg.mirror.test", "ok.ask.test")) {
            dns.answer(n, List.of("127.0.0.1"));
        }
        approver = new Approver();
        approver.answer(Approver.Script.json("{\"decision\":\"allow\"}"));
        String hash = PasswordHash.of(PASSWORD.toCharArray()).encoded();
        policyFile = dir.resolve("policy.yaml");
        Files.writeString(policyFile, "listen: 127.0.0.1:0\nadmin:\n  listen: \"off\"\n"
                + "dns:\n  servers: [\"127.0.0.1:" + dns.port() + "\"]\n  timeout: 2s\n"
                + "auth:\n  users:\n    - name: alice\n      passwordHash: \"" + hash + "\"\n"
                + "identities:\n  - name: coder\n    users: [alice]\n"
                + "destinations:\n  coder:\n    default: deny\n    allow: [\"api.agents.test:" + origin.port() + "\", \"*.mirror.test\"]\n"
                + "    deny: [\"bad.mirror.test\"]\n    ask: [\"*.ask.test\"]\n    message: \"model API and mirrors only\"\n"
                + "approvals:\n  url: " + approver.url() + "\n  timeout: 2s\n"
                + "allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port() + "]\n    reason: the test origin\n");
        audit = new RecordingAuditSink();
        dials = new LoopbackDialGuard();
        proxy = ProxyServer.start(PolicyFileLoader.load(policyFile), audit, dials);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        approver.close();
        dns.close();
        sink.close();
        origin.close();
        assertThat(dials.violations()).isEmpty();
    }

    static String proxyUrl() {
        return "http://127.0.0.1:" + proxy.address().getPort();
    }

    static boolean onPath(String program) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream().anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    /** The proxy's decision event for the last request to {@code host:port}. */
    static AuditEvent proxyDecision(String host, int port) {
        return audit.await(e -> e.event().equals("decision") && host.equals(e.host()) && Integer.valueOf(port).equals(e.port()),
                Duration.ofSeconds(10));
    }

    /** What {@code check --identity coder} says about {@code url}, from the real CLI. */
    static JsonNode check(String url) throws Exception {
        ChildProcess.Result r = ChildProcess.run(ChildProcess.egressguard("check", "--policy", policyFile.toString(), "--identity", "coder",
                "--json", url), Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isIn(0, 1);
        return JSON.readTree(r.out().strip());
    }

    @Test
    void curlWithProxyCredentialsSeesAllowsAndJsonDenials() throws Exception {
        assumeTrue(onPath("curl"), "curl is not installed");
        ChildProcess.Result ok = ChildProcess.run(List.of("curl", "-sS", "--max-time", "20", "-x", proxyUrl(), "-U", "alice:" + PASSWORD,
                "http://api.agents.test:" + origin.port() + "/echo"), Map.of(), null, Duration.ofSeconds(30));
        assertThat(ok.out()).isEqualTo("GET /echo body=0\n");
        ChildProcess.Result denied = ChildProcess.run(List.of("curl", "-sS", "--max-time", "20", "-x", proxyUrl(), "-U", "alice:" + PASSWORD,
                "-H", "Accept: application/json", "-w", "\n%{http_code}", "http://other.test:" + origin.port() + "/"), Map.of(), null,
                Duration.ofSeconds(30));
        String[] parts = denied.out().strip().split("\n");
        assertThat(parts[parts.length - 1]).isEqualTo("403");
        JsonNode body = JSON.readTree(parts[0]);
        assertThat(body.get("reason").asText()).isEqualTo("dest.not_allowed");
        assertThat(body.get("identity").asText()).isEqualTo("coder");
        assertThat(body.get("message").asText()).isEqualTo("model API and mirrors only");
        assertThat(denied.err()).doesNotContain(PASSWORD);
    }

    @Test
    void pythonRequestsWithCredentialsInTheProxyUrl() throws Exception {
        String py = Pythons.withModules("requests").orElse(null);
        assumeTrue(py != null, "no python3 with requests");
        ChildProcess.Result r = ChildProcess.run(List.of(py, "-c", String.join("\n",
                "import sys, requests",
                "p = {'http': sys.argv[1]}",
                "a = requests.get(sys.argv[2], proxies=p, timeout=30)",
                "b = requests.get(sys.argv[3], proxies=p, headers={'Accept': 'application/json'}, timeout=30)",
                "print(a.status_code, b.status_code, b.json()['reason'], b.json()['rule'])"),
                "http://alice:" + PASSWORD + "@127.0.0.1:" + proxy.address().getPort(),
                "http://api.agents.test:" + origin.port() + "/echo", "http://bad.mirror.test:" + origin.port() + "/"),
                Map.of("NO_PROXY", "", "no_proxy", ""), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("200 403 dest.denied destinations.coder.deny[0]:bad.mirror.test");
    }

    @Test
    void theJdkHttpClientAuthenticatesAndReadsTheDenial() throws Exception {
        HttpClient jdk = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.address().getPort())))
                .authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return getRequestorType() == RequestorType.PROXY ? new PasswordAuthentication("alice", PASSWORD.toCharArray()) : null;
                    }
                }).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> ok = jdk.send(HttpRequest.newBuilder(URI.create("http://api.agents.test:" + origin.port() + "/echo")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        HttpResponse<String> no = jdk.send(HttpRequest.newBuilder(URI.create("http://pkg.mirror.test:" + sink.port() + "/"))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(no.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(no.body()).get("reason").asText()).as("on the allow list, but loopback").isEqualTo("ip.loopback");
        assertThat(sink.connections()).isZero();
    }

    @Test
    void checkWithTheIdentityAgreesWithTheProxyOnEveryCase() throws Exception {
        List<String[]> cases = List.of(new String[] {"api.agents.test", Integer.toString(origin.port())},
                new String[] {"other.test", Integer.toString(origin.port())},
                new String[] {"bad.mirror.test", Integer.toString(origin.port())},
                new String[] {"pkg.mirror.test", Integer.toString(sink.port())},
                new String[] {"ok.ask.test", Integer.toString(origin.port())});
        HttpClient jdk = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.address().getPort())))
                .authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return new PasswordAuthentication("alice", PASSWORD.toCharArray());
                    }
                }).build();
        for (String[] c : cases) {
            String url = "http://" + c[0] + ":" + c[1] + "/";
            jdk.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
            AuditEvent seen = proxyDecision(c[0], Integer.parseInt(c[1]));
            JsonNode said = check(url);
            if (c[0].endsWith(".ask.test")) {
                assertThat(said.get("verdict").asText()).as(url).isEqualTo("ask");
                assertThat(said.get("asks").asText()).isEqualTo("destinations.coder.ask[0]:*.ask.test");
                assertThat(seen.approval()).as("the proxy asked").isEqualTo("allow");
                assertThat(seen.verdict()).isEqualTo("allow");
                assertThat(said.get("reason").asText()).as("what the approval leads to").isEqualTo(seen.reason());
                continue;
            }
            assertThat(said.get("verdict").asText()).as(url).isEqualTo(seen.verdict());
            assertThat(said.get("reason").asText()).as(url).isEqualTo(seen.reason());
            assertThat(said.get("rule").isNull() ? null : said.get("rule").asText()).as(url).isEqualTo(seen.rule());
        }
    }
}
