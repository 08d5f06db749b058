package dev.egressguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.ProxyServer;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.RecordingAuditSink;
import dev.egressguard.server.support.SinkListener;
import dev.egressguard.server.support.TestDnsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SOCKS5 listener with the clients that use it: curl {@code --socks5-hostname}, Python with
 * PySocks, Node's socks-proxy-agent, the JDK's SOCKS sockets, and ssh and git through ncat as their
 * {@code ProxyCommand} to a real sshd on loopback (git over ssh is the case users ask for). Names
 * resolve at the proxy (socks5h) through a loopback DNS server; every dial stays on loopback; a
 * denied target never sees a connection. Skipped per client where the client is not installed
 * (.ci/run installs them).
 */
@Tag("real-client")
class SocksClientsIT {
    private static final String PASSWORD = "socks-pw";

    @TempDir
    static Path dir;
    static HttpUpstream origin;
    static SinkListener sink;
    static TestDnsServer dns;
    static RecordingAuditSink audit;
    static LoopbackDialGuard dials;
    static ProxyServer proxy;
    static int sshPort;

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.1");
        sink = new SinkListener("127.0.0.1", 0);
        dns = new TestDnsServer();
        dns.answer("origin.test", List.of("127.0.0.1"));
        dns.answer("sink.test", List.of("127.0.0.1"));
        dns.answer("sshd.test", List.of("127.0.0.1"));
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            sshPort = free.getLocalPort();
        }
        String hash = PasswordHash.of(PASSWORD.toCharArray()).encoded();
        audit = new RecordingAuditSink();
        dials = new LoopbackDialGuard();
        proxy = ProxyServer.start(PolicyFileLoader.parse("listen: 127.0.0.1:0\nsocks:\n  listen: 127.0.0.1:0\nadmin:\n  listen: \"off\"\n"
                + "dns:\n  servers: [\"127.0.0.1:" + dns.port() + "\"]\n  timeout: 2s\n"
                + "auth:\n  users:\n    - name: alice\n      passwordHash: \"" + hash + "\"\n"
                + "allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port() + ", " + sshPort + "]\n    reason: test origins\n", "socks it"),
                audit, dials);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        dns.close();
        sink.close();
        origin.close();
        assertThat(dials.violations()).isEmpty();
        assertThat(sink.connections()).as("denied targets never saw a connection").isZero();
    }

    static int socksPort() {
        return proxy.socksAddress().orElseThrow().getPort();
    }

    static boolean onPath(String program) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream().anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    static AuditEvent socksDecision(String host) {
        return audit.await(e -> e.event().equals("decision") && "socks".equals(e.mode()) && host.equals(e.host()), Duration.ofSeconds(10));
    }

    @Test
    void curlSocks5Hostname() throws Exception {
        assumeTrue(onPath("curl"), "curl is not installed");
        String via = "socks5h://alice:" + PASSWORD + "@127.0.0.1:" + socksPort();
        ChildProcess.Result ok = ChildProcess.run(List.of("curl", "-sS", "--max-time", "20", "-x", via, "http://origin.test:" + origin.port() + "/echo"),
                Map.of(), null, Duration.ofSeconds(30));
        assertThat(ok.out()).isEqualTo("GET /echo body=0\n");
        assertThat(socksDecision("origin.test").user()).isEqualTo("alice");
        ChildProcess.Result no = ChildProcess.run(List.of("curl", "-sS", "--max-time", "20", "-x", via, "http://sink.test:" + sink.port() + "/"),
                Map.of(), null, Duration.ofSeconds(30));
        assertThat(no.exit()).isNotZero();
        assertThat(socksDecision("sink.test").reason()).isEqualTo("ip.loopback");
        assertThat(no.err() + ok.err()).doesNotContain(PASSWORD);
    }

    @Test
    void pythonWithPySocks() throws Exception {
        String py = Pythons.withModules("socks").orElse(null);
        assumeTrue(py != null, "no python3 with PySocks (Debian python3-socks)");
        ChildProcess.Result r = ChildProcess.run(List.of(py, "-c", String.join("\n",
                "import sys, socks",
                "def get(host, port):",
                "    s = socks.socksocket()",
                "    s.set_proxy(socks.SOCKS5, '127.0.0.1', int(sys.argv[1]), rdns=True, username='alice', password=sys.argv[2])",
                "    s.settimeout(20)",
                "    try:",
                "        s.connect((host, port))",
                "        s.sendall(b'GET /echo HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n')",
                "        return s.recv(4096).split(b'\\r\\n')[0].decode()",
                "    except socks.ProxyError as e:",
                "        return 'refused: ' + str(e)",
                "print(get('origin.test', int(sys.argv[3])))",
                "print(get('169.254.169.254', 80))"),
                Integer.toString(socksPort()), PASSWORD, Integer.toString(origin.port())), Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().strip().lines().toList();
        assertThat(lines.get(0)).startsWith("HTTP/1.1 200");
        assertThat(lines.get(1)).contains("refused").contains("0x02");
        assertThat(socksDecision("169.254.169.254").reason()).isEqualTo("ip.metadata");
    }

    @Test
    void nodeSocksProxyAgent() throws Exception {
        Path agent = NodeClientsIT.NODE_DIR.resolve("node_modules/socks-proxy-agent");
        assumeTrue(onPath("node") && Files.isDirectory(agent), "skipped: run `npm ci` in it/node (.ci/run does)");
        String via = "socks5h://alice:" + PASSWORD + "@127.0.0.1:" + socksPort();
        Map<String, String> env = Map.of("NODE_PATH", NodeClientsIT.NODE_DIR.resolve("node_modules").toString());
        String script = NodeClientsIT.NODE_DIR.resolve("socks-get.js").toString();
        ChildProcess.Result ok = ChildProcess.run(List.of("node", script, via, "http://origin.test:" + origin.port() + "/echo"), env, null,
                Duration.ofSeconds(60));
        assertThat(ok.out().strip()).isEqualTo("200 GET /echo body=0");
        ChildProcess.Result no = ChildProcess.run(List.of("node", script, via, "http://metadata.google.internal/"), env, null, Duration.ofSeconds(60));
        assertThat(no.out()).startsWith("error ");
        assertThat(socksDecision("metadata.google.internal").reason()).isEqualTo("host.blocked_name");
    }

    @Test
    void theJdksSocksSocketsWithAnUnresolvedName() throws Exception {
        java.net.Authenticator previous = java.net.Authenticator.getDefault();
        java.net.Authenticator.setDefault(new java.net.Authenticator() {
            @Override
            protected java.net.PasswordAuthentication getPasswordAuthentication() {
                return new java.net.PasswordAuthentication("alice", PASSWORD.toCharArray());
            }
        });
        try (Socket s = new Socket(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socksPort())))) {
            s.connect(InetSocketAddress.createUnresolved("origin.test", origin.port()), 10_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /echo HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200").endsWith("GET /echo body=0\n");
        } finally {
            java.net.Authenticator.setDefault(previous);
        }
    }

    @Test
    void sshAndGitOverSshThroughNcatAsProxyCommand() throws Exception {
        assumeTrue(onPath("ncat") && onPath("ssh") && onPath("git") && Files.isExecutable(Path.of("/usr/sbin/sshd")), "ncat, ssh, git or sshd missing");
        assumeTrue("root".equals(System.getProperty("user.name")), "sshd as a test server needs root here");
        Process sshd = startSshd();
        try {
            String proxyCommand = "ncat --proxy 127.0.0.1:" + socksPort() + " --proxy-type socks5 --proxy-auth alice:" + PASSWORD
                    + " --proxy-dns remote %h %p";
            String ssh = "ssh -F /dev/null -i " + dir.resolve("client") + " -o BatchMode=yes -o StrictHostKeyChecking=no"
                    + " -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ProxyCommand='" + proxyCommand + "'";
            ChildProcess.Result echo = ChildProcess.run(List.of("sh", "-c", ssh + " -p " + sshPort + " root@sshd.test echo over-socks"),
                    Map.of(), null, Duration.ofSeconds(60));
            assertThat(echo.out().strip()).as(echo.err()).isEqualTo("over-socks");
            Path repo = gitRepoWithOneCommit();
            Path clone = dir.resolve("clone");
            Map<String, String> env = new HashMap<>(Map.of("GIT_SSH_COMMAND", ssh));
            ChildProcess.Result git = ChildProcess.run(List.of("git", "clone", "-q", "ssh://root@sshd.test:" + sshPort + repo, clone.toString()), env,
                    null, Duration.ofSeconds(60));
            assertThat(git.exit()).as(git.err()).isZero();
            assertThat(Files.readString(clone.resolve("README"))).isEqualTo("cloned through the SOCKS5 listener\n");
            assertThat(socksDecision("sshd.test").verdict()).isEqualTo("allow");
        } finally {
            sshd.destroy();
            sshd.waitFor();
        }
    }

    private static Process startSshd() throws Exception {
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client").toString());
        Files.copy(dir.resolve("client.pub"), dir.resolve("authorized_keys"));
        Files.createDirectories(Path.of("/run/sshd")); // the privilege separation directory sshd insists on
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, "Port " + sshPort + "\nListenAddress 127.0.0.1\nHostKey " + dir.resolve("host") + "\nAuthorizedKeysFile "
                + dir.resolve("authorized_keys") + "\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nPermitRootLogin prohibit-password\n"
                + "PidFile " + dir.resolve("sshd.pid") + "\n");
        Process p = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", sshPort)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroy();
        throw new AssertionError("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
    }

    private static Path gitRepoWithOneCommit() throws Exception {
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Files.writeString(work.resolve("README"), "cloned through the SOCKS5 listener\n");
        run("git", "-C", work.toString(), "init", "-q");
        run("git", "-C", work.toString(), "-c", "user.email=t@example.invalid", "-c", "user.name=t", "add", "README");
        run("git", "-C", work.toString(), "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "-m", "one");
        Path bare = dir.resolve("repo.git");
        run("git", "clone", "-q", "--bare", work.toString(), bare.toString());
        return bare;
    }

    private static void run(String... command) throws Exception {
        ChildProcess.Result r = ChildProcess.run(new ArrayList<>(List.of(command)), Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(String.join(" ", command) + ": " + r.err()).isZero();
    }
}
