package dev.egressguard.it;

import static dev.egressguard.it.ChildProcess.JAVA;
import static dev.egressguard.it.ChildProcess.TEST_CLASSES;
import static dev.egressguard.it.ChildProcess.egressguard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code egressguard run --ca FILE} (and {@code proxy.caFile}) with real, unmodified clients: curl,
 * Python requests, Node's own TLS, and a child JVM through the agent trust the proxy's interception
 * CA with no flag of their own, reach an intercepted HTTPS origin through it, and the origin sees
 * the proxy's credential; without the CA the same clients refuse the proxy's certificate.
 */
@Tag("real-client")
class TlsRunCaIT {
    static final String SECRET = "it-secret-31415";
    static TestCa originCa;
    static HttpUpstream origin;
    static ProxyHarness proxy;
    static Path ca;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("eg-run-ca");
        originCa = TestCa.create("it origins");
        origin = HttpUpstream.https("127.0.0.1", originCa.serverFor("api.eg.test"));
        Path token = Files.writeString(dir.resolve("token"), SECRET);
        ca = dir.resolve("proxy-ca.pem");
        proxy = new ProxyHarness("allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port() + "]\n    reason: the test origin\n"
                + "tls:\n  caCertOut: " + ca + "\n  upstreamTrust: [" + originCa.writePem(dir.resolve("origins.pem")) + "]\n"
                + "  intercept:\n    - host: api.eg.test\n      rules: [{methods: [GET], path: \"/repos/**\", action: allow}]\n"
                + "      credential: {secret: {file: " + token + "}, header: Authorization, format: \"token {secret}\"}\n");
        proxy.dns.answer("api.eg.test", List.of("127.0.0.1"));
        url = "https://api.eg.test:" + origin.port() + "/repos/x";
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    private static Map<String, String> env(Path home, String extraConfig) throws Exception {
        ChildProcess.homeWithConfig(home, "proxy:\n  enabled: true\n  proxyUrl: http://127.0.0.1:" + proxy.port() + "\n" + extraConfig);
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        return env;
    }

    private static List<String> run(boolean withCa, String... cmd) {
        List<String> args = new ArrayList<>(List.of("run"));
        if (withCa) {
            args.addAll(List.of("--ca", ca.toString()));
        }
        args.add("--");
        args.addAll(List.of(cmd));
        return egressguard(args.toArray(String[]::new));
    }

    private static void assertCredentialArrived(int before) {
        assertThat(origin.seen().size()).isGreaterThan(before);
        assertThat(origin.seen().get(origin.seen().size() - 1).headers().get("Authorization")).containsExactly("token " + SECRET);
    }

    @Test
    void curlTrustsTheProxyThroughRunCaAndRefusesItWithout(@TempDir Path home) throws Exception {
        int before = origin.seen().size();
        ChildProcess.Result r = ChildProcess.run(run(true, "curl", "-sS", "--max-time", "20", url), env(home, ""), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello from upstream\n");
        assertCredentialArrived(before);
        ChildProcess.Result refused = ChildProcess.run(run(false, "curl", "-sS", "--max-time", "20", url), env(home, ""), null, Duration.ofSeconds(60));
        assertThat(refused.exit()).as("curl: SSL certificate problem").isEqualTo(60);
        proxy.audit.await(e -> "tls.client_rejected_certificate".equals(e.reason()), Duration.ofSeconds(10));
    }

    @Test
    void proxyCaFileInTheRuntimeConfigDoesTheSame(@TempDir Path home) throws Exception {
        ChildProcess.Result r = ChildProcess.run(run(false, "sh", "-c", "env; curl -sS --max-time 20 " + url),
                env(home, "  caFile: " + ca + "\n"), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("hello from upstream").contains("NODE_EXTRA_CA_CERTS=").contains("REQUESTS_CA_BUNDLE=")
                .contains("SSL_CERT_FILE=").contains("GIT_SSL_CAINFO=").contains("PIP_CERT=").contains("npm_config_cafile=")
                .contains("CURL_CA_BUNDLE=").contains("EGRESSGUARD_CA_FILE=");
    }

    @Test
    void pythonRequestsTrustsTheProxy(@TempDir Path home) throws Exception {
        Optional<String> python = Pythons.withModules("requests");
        assumeTrue(python.isPresent(), "skipped: no python3 with requests");
        int before = origin.seen().size();
        ChildProcess.Result r = ChildProcess.run(run(true, python.get(), "-c", "import requests, sys; r = requests.get(sys.argv[1], timeout=20);"
                + " print(r.status_code, r.text.strip())", url), env(home, ""), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("200 hello from upstream\n");
        assertCredentialArrived(before);
    }

    @Test
    void nodeTrustsTheProxyThroughNodeExtraCaCerts(@TempDir Path home) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")) || Files.isExecutable(Path.of("/usr/local/bin/node")), "skipped: no node");
        String script = ChildProcess.ROOT.resolve("it/node/https-connect-get.js").toString();
        int before = origin.seen().size();
        ChildProcess.Result r = ChildProcess.run(run(true, "node", script, url), env(home, ""), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("200 hello from upstream\n");
        assertCredentialArrived(before);
        ChildProcess.Result refused = ChildProcess.run(run(false, "node", script, url), env(home, ""), null, Duration.ofSeconds(60));
        assertThat(refused.out()).startsWith("TLS ");
    }

    @Test
    void aChildJvmTrustsTheProxyThroughTheAgent(@TempDir Path home) throws Exception {
        int before = origin.seen().size();
        ChildProcess.Result r = ChildProcess.run(run(true, JAVA, "-cp", TEST_CLASSES.toString(), "dev.egressguard.it.programs.FetchUrl", url),
                env(home, ""), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 hello from upstream");
        assertCredentialArrived(before);
    }
}
