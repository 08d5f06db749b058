package dev.egressguard.it;

import static dev.egressguard.it.ChildProcess.ROOT;
import static dev.egressguard.it.ChildProcess.egressguard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node services under {@code egressguard run}: {@code node:http} through global-agent and
 * {@code fetch} through undici's EnvHttpProxyAgent, both pointed at the proxy by the variables
 * {@code run} sets (and not let past it by the NO_PROXY it removes). {@code .ci/run} installs
 * Node and runs {@code npm ci} in {@code it/node}.
 */
@Tag("real-client")
class NodeClientsIT {
    static final Path NODE_DIR = ROOT.resolve("it/node");
    static HttpUpstream origin;
    static RoutedProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isDirectory(NODE_DIR.resolve("node_modules/undici")) && Files.isDirectory(NODE_DIR.resolve("node_modules/global-agent")),
                "skipped: run `npm ci` in it/node (.ci/run does)");
        origin = HttpUpstream.http("127.0.0.1");
        proxy = new RoutedProxy(origin.port());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
            origin.close();
        }
    }

    private Map<String, String> env(Path home) throws Exception {
        ChildProcess.homeWithConfig(home, "proxy:\n  enabled: true\n  proxyUrl: " + proxy.url() + "\n");
        Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString(), "NO_PROXY", "localhost,127.0.0.1"));
        env.put("NODE_PATH", NODE_DIR.resolve("node_modules").toString());
        return env;
    }

    @Test
    void nodeHttpThroughGlobalAgent(@TempDir Path home) throws Exception {
        ChildProcess.Result r = ChildProcess.run(egressguard("run", "--", "node", "-r", "global-agent/bootstrap",
                NODE_DIR.resolve("http-get.js").toString(), "http://localhost:" + origin.port() + "/echo"), env(home), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 GET /echo body=0");
        assertThat(proxy.awaitDecision("localhost", origin.port()).verdict()).isEqualTo("allow");
    }

    @Test
    void fetchThroughUndicisEnvHttpProxyAgent(@TempDir Path home) throws Exception {
        ChildProcess.Result r = ChildProcess.run(egressguard("run", "--", "node", NODE_DIR.resolve("fetch.js").toString(),
                "http://127.0.0.1:" + origin.port() + "/echo"), env(home), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 GET /echo body=0");
        AuditEvent allowed = proxy.awaitDecision("127.0.0.1", origin.port());
        assertThat(allowed.verdict()).isEqualTo("allow");
        assertThat(allowed.mode()).as("undici tunnels even http:// targets through CONNECT").isEqualTo("connect");

        ChildProcess.Result denied = ChildProcess.run(egressguard("run", "--", "node", NODE_DIR.resolve("fetch.js").toString(),
                "http://127.0.0.1:8/"), env(home), null, Duration.ofSeconds(60)); // (fetch itself refuses port 9)
        assertThat(denied.exit()).as("the tunnel to a denied address is refused, so fetch fails").isEqualTo(1);
        assertThat(denied.err()).contains("fetch failed");
        assertThat(proxy.awaitDecision("127.0.0.1", 8).reason()).isEqualTo("ip.loopback");
    }
}
