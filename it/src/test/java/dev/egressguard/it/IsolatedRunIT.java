package dev.egressguard.it;

import static dev.egressguard.it.ChildProcess.CLI_JAR;
import static dev.egressguard.it.ChildProcess.JAVA;
import static dev.egressguard.it.ChildProcess.TEST_CLASSES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.SinkListener;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code egressguard run --isolate -- CMD} as a real process around real programs (curl, Python, a
 * child JVM, a shell), with a real proxy and real origins on the host's loopback. What honours the
 * proxy variables works unchanged; what ignores them reaches nothing: the host-side listeners
 * prove it by counting what arrived. The same probes under plain {@code run} are the controls:
 * they show each bypass exists there, so that its absence under {@code --isolate} means something.
 */
@Tag("real-client")
class IsolatedRunIT {
    static HttpUpstream origin;
    static SinkListener bystander;
    static RoutedProxy proxy;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Namespaces.assumeAvailable();
        origin = HttpUpstream.http("127.0.0.1");
        bystander = new SinkListener("127.0.0.1", 0);
        proxy = new RoutedProxy(origin.port(), bystander.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
            origin.close();
            bystander.close();
        }
    }

    @AfterEach
    void thePrivateDirectoryIsGone() throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("egressguard-isolate-"))).isEmpty();
        }
    }

    static Map<String, String> env(Path home, String proxyUrl) throws IOException {
        ChildProcess.homeWithConfig(home, "proxy:\n  enabled: true\n  proxyUrl: " + proxyUrl + "\n");
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("NO_PROXY", "localhost,127.0.0.1");
        env.put("ALL_PROXY", "socks5h://127.0.0.1:1");
        return env;
    }

    private Map<String, String> env(Path home) throws IOException {
        return env(home, proxy.url());
    }

    /** {@code java -Djava.io.tmpdir=TMP -jar egressguard.jar run [--isolate] [OPTIONS] -- CMD}. */
    static List<String> run(boolean isolate, List<String> options, String... cmd) {
        List<String> argv = new ArrayList<>(List.of(JAVA, "-Djava.io.tmpdir=" + tmp, "-jar", CLI_JAR.toString(), "run"));
        if (isolate) {
            argv.add("--isolate");
        }
        argv.addAll(options);
        argv.add("--");
        argv.addAll(List.of(cmd));
        return argv;
    }

    static List<String> isolated(String... cmd) {
        return run(true, List.of(), cmd);
    }

    private static ChildProcess.Result exec(List<String> command, Map<String, String> env) throws Exception {
        return ChildProcess.run(command, env, null, Duration.ofSeconds(90));
    }

    private static void assumeOnPath(String tool) {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        assumeTrue(found, "skipped: " + tool + " is not installed");
    }

    @Test
    void curlThroughTheForwarderGets200AndIsAudited(@TempDir Path home) throws Exception {
        assumeOnPath("curl");
        ChildProcess.Result r = exec(isolated("curl", "-sS", "--max-time", "20", "http://localhost:" + origin.port() + "/echo"), env(home));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("GET /echo body=0\n");
        AuditEvent allowed = proxy.audit.await(e -> e.event().equals("decision") && "localhost".equals(e.host())
                && "forward".equals(e.mode()), Duration.ofSeconds(10));
        assertThat(allowed.verdict()).isEqualTo("allow");
        assertThat(allowed.port()).isEqualTo(origin.port());
    }

    @Test
    void aDeniedTargetIsA403(@TempDir Path home) throws Exception {
        assumeOnPath("curl");
        ChildProcess.Result r = exec(isolated("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", "http://127.0.0.1:9/"), env(home));
        assertThat(r.out()).as(r.err()).isEqualTo("403");
        assertThat(proxy.awaitDecision("127.0.0.1", 9).reason()).isEqualTo("ip.loopback");
    }

    @Test
    void curlWithNoProxyGoesAroundPlainRunButNotAroundIsolate(@TempDir Path home) throws Exception {
        assumeOnPath("curl");
        String around = "http://127.0.0.1:" + origin.port() + "/echo?around-";
        ChildProcess.Result plain = exec(run(false, List.of(), "curl", "-sS", "--noproxy", "*", "--max-time", "20", around + "plain"), env(home));
        assertThat(plain.out()).as("the control: plain run only sets variables").isEqualTo("GET /echo?around-plain body=0\n");

        ChildProcess.Result r = exec(isolated("curl", "-sS", "--noproxy", "*", "--max-time", "20", around + "isolated"), env(home));
        assertThat(r.exit()).as("curl: couldn't connect").isEqualTo(7);
        assertThat(r.err()).contains("Failed to connect to 127.0.0.1 port " + origin.port());
        assertThat(origin.seen()).extracting(HttpUpstream.Seen::uri).contains("/echo?around-plain").doesNotContain("/echo?around-isolated");
    }

    @Test
    void aRawSocketReachesNothingOutside(@TempDir Path home) throws Exception {
        assumeOnPath("python3");
        String connect = "import socket; socket.create_connection(('127.0.0.1', " + bystander.port() + "), timeout=5).close(); print('connected')";
        int before = bystander.connections();
        ChildProcess.Result plain = exec(run(false, List.of(), "python3", "-c", connect), env(home));
        assertThat(plain.out()).as("the control: " + plain.err()).isEqualTo("connected\n");
        awaitConnections(before + 1);

        ChildProcess.Result r = exec(isolated("python3", "-c", connect), env(home));
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).as("127.0.0.1 inside is the namespace's own loopback, where nothing listens").contains("ConnectionRefusedError");
        Thread.sleep(300);
        assertThat(bystander.connections()).as("the host-side listener saw only the control").isEqualTo(before + 1);
    }

    private static void awaitConnections(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bystander.connections() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(bystander.connections()).isEqualTo(expected);
    }

    /**
     * UDP to the host, DNS, and a route to anywhere. The script checks first that it has no route
     * and no interface but {@code lo} and dials nothing otherwise: if isolation were broken, the
     * DNS query and the TEST-NET-1 connect would leave the machine, so they only run where they
     * cannot.
     */
    @Test
    void udpDnsAndEveryOtherAddressFailFast(@TempDir Path home) throws Exception {
        assumeOnPath("python3");
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            receiver.setSoTimeout(5000);
            String send = "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'probe', ('127.0.0.1', " + receiver.getLocalPort() + "))";
            assertThat(exec(run(false, List.of(), "python3", "-c", send), env(home)).exit()).isZero();
            assertThat(receive(receiver)).as("the control: plain run lets UDP out").isEqualTo("probe");

            String script = String.join("\n",
                    "import socket, sys, time",
                    "routes = open('/proc/net/route').read().splitlines()[1:]",
                    "ifaces = [l.split(':')[0].strip() for l in open('/proc/net/dev').read().splitlines()[2:]]",
                    "if routes or ifaces != ['lo']:",
                    "    print('NOT ISOLATED', routes, ifaces); sys.exit(3)",
                    "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'leak', ('127.0.0.1', " + receiver.getLocalPort() + "))",
                    "t = time.monotonic()",
                    "try:",
                    "    socket.getaddrinfo('isolation-probe.example', 80); print('dns answered')",
                    "except socket.gaierror as e:",
                    "    print('dns', e.errno, '%.3f' % (time.monotonic() - t))",
                    "t = time.monotonic()",
                    "try:",
                    "    socket.create_connection(('192.0.2.1', 80), timeout=5); print('connected')",
                    "except OSError as e:",
                    "    print('connect', e.errno, '%.3f' % (time.monotonic() - t))");
            ChildProcess.Result r = exec(isolated("python3", "-c", script), env(home));
            receiver.setSoTimeout(500); // loopback delivers at once: anything sent is queued by now
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            String[] lines = r.out().split("\n");
            assertThat(lines[0]).as("no nameserver reachable: EAI_AGAIN, not an answer").startsWith("dns -3 ");
            assertThat(Double.parseDouble(lines[0].split(" ")[2])).as("seconds").isLessThan(2.0);
            assertThat(lines[1]).as("ENETUNREACH at once").startsWith("connect 101 ");
            assertThat(Double.parseDouble(lines[1].split(" ")[2])).isLessThan(1.0);
            assertThat(receive(receiver)).as("the datagram stayed in the namespace").isNull();
        }
    }

    private static String receive(DatagramSocket socket) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        try {
            socket.receive(p);
            return new String(p.getData(), 0, p.getLength(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException nothing) {
            return null;
        }
    }

    @Test
    void aChildJvmRoutesThroughTheAgentAsBefore(@TempDir Path home) throws Exception {
        ChildProcess.Result r = exec(isolated(JAVA, "-cp", TEST_CLASSES.toString(), "dev.egressguard.it.programs.FetchUrl",
                "http://localhost:" + origin.port() + "/echo?jvm"), env(home));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 GET /echo?jvm body=0");
        assertThat(proxy.awaitDecision("localhost", origin.port()).verdict()).isEqualTo("allow");
    }

    @Test
    void theChildSeesTheForwardersAndAPrivateDirectoryServesThem(@TempDir Path home) throws Exception {
        ChildProcess.Result r = exec(isolated("sh", "-c", "env; stat -c 'mode %a' " + tmp + "/egressguard-isolate-*"), env(home));
        assertThat(r.exit()).as(r.err()).isZero();
        for (String v : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "WS_PROXY", "OPENCLAW_PROXY_URL")) {
            assertThat(r.out()).contains(v + "=http://127.0.0.1:3128\n");
        }
        assertThat(r.out()).contains("NODE_USE_ENV_PROXY=1\n", "EGRESSGUARD_PROXY_ENABLED=true\n", "JAVA_TOOL_OPTIONS=-javaagent:", "mode 700\n")
                .doesNotContain("NO_PROXY=", "ALL_PROXY=", "all_proxy=", "EGRESSGUARD_ISOLATED_");
    }

    @Test
    void socksClientsReachTheSocksProxyThroughTheSecondForwarder(@TempDir Path home) throws Exception {
        assumeOnPath("curl");
        List<String> cmd = run(true, List.of("--socks", proxy.socksUrl()), "sh", "-c",
                "echo \"ALL_PROXY=$ALL_PROXY\"; curl -sS --max-time 20 --proxy \"$all_proxy\" http://localhost:" + origin.port() + "/echo?socks");
        ChildProcess.Result r = exec(cmd, env(home));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("ALL_PROXY=socks5h://127.0.0.1:1080\nGET /echo?socks body=0\n");
        AuditEvent d = proxy.audit.await(e -> e.event().equals("decision") && "socks".equals(e.mode()), Duration.ofSeconds(10));
        assertThat(d.host()).as("the name went to the proxy's SOCKS5 listener unresolved").isEqualTo("localhost");
        assertThat(d.verdict()).isEqualTo("allow");
    }

    @Test
    void anUnreachableProxyIsNamedAndTheConnectionFails(@TempDir Path home) throws Exception {
        assumeOnPath("curl");
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            closed = s.getLocalPort();
        }
        ChildProcess.Result r = exec(isolated("curl", "-sS", "--max-time", "20", "http://localhost:" + origin.port() + "/echo?down"),
                env(home, "http://127.0.0.1:" + closed));
        assertThat(r.exit()).as("curl: the proxy connection was reset or empty").isIn(52, 56);
        assertThat(r.err()).contains("egressguard run --isolate: cannot reach the proxy at 127.0.0.1:" + closed);
        assertThat(origin.seen()).extracting(HttpUpstream.Seen::uri).doesNotContain("/echo?down");
    }

    @Test
    void exitStatusStandardStreamsAndTermPassThrough(@TempDir Path home) throws Exception {
        ChildProcess.assertStreamsAndStatusPassThrough(isolated(ChildProcess.CAT_OOPS_EXIT_7), env(home));

        Path ready = home.resolve("ready");
        assertThat(ChildProcess.terminateOnceReady(isolated("sh", "-c", ChildProcess.trapTermLoop(ready)), env(home), ready, Duration.ofSeconds(60)))
                .as("run passes TERM to the command inside, in its own session").isEqualTo(42);
    }
}
