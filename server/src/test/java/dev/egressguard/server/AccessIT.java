package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readAll;
import static dev.egressguard.server.support.RawHttp.readResponse;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.config.ConfigException;
import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.RecordingAuditSink;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may use the proxy: Basic users, the open-proxy refusal, PROXY protocol from trusted load balancers. */
class AccessIT {
    private static final String HASH = PasswordHash.of("correct horse".toCharArray()).encoded();

    @AfterAll
    static void leaks() throws Exception {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String get(int port, String proxyAuthorization) {
        String a = "127.0.0.1:" + port;
        return "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\n"
                + (proxyAuthorization == null ? "" : "Proxy-Authorization: " + proxyAuthorization + "\r\n") + "Connection: close\r\n\r\n";
    }

    @Test
    void basicUsersAre407WithoutOrWithWrongCredentialsAndAuditedByNameWith(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("ci.secret"), "from-a-file\n");
        String users = "auth:\n  users:\n    - name: agent\n      passwordHash: \"" + HASH + "\"\n    - name: ci\n      passwordFile: " + secret + "\n";
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(users + allow(origin.port()))) {
            String none = h.raw(get(origin.port(), null));
            assertThat(none).startsWith("HTTP/1.1 407 ").containsIgnoringCase("proxy-authenticate: Basic realm=\"egressguard\"")
                    .contains("client.auth_required");
            String wrong = h.raw(get(origin.port(), basic("agent", "wrong")));
            assertThat(wrong).startsWith("HTTP/1.1 407 ").contains("client.auth_failed");
            assertThat(h.raw(get(origin.port(), basic("nobody", "correct horse")))).startsWith("HTTP/1.1 407 ");
            assertThat(h.raw(get(origin.port(), "Bearer abc"))).startsWith("HTTP/1.1 407 ");
            assertThat(origin.seen()).as("nothing forwarded without valid credentials").isEmpty();

            assertThat(h.raw(get(origin.port(), basic("agent", "correct horse")))).startsWith("HTTP/1.1 200 ");
            assertThat(h.raw(get(origin.port(), basic("ci", "from-a-file")))).startsWith("HTTP/1.1 200 ");
            assertThat(origin.seen()).hasSize(2);
            assertThat(origin.seen().get(0).headers()).as("credentials are never forwarded").doesNotContainKey("Proxy-authorization");
            AuditEvent ok = h.audit.await(e -> e.event().equals("decision") && "agent".equals(e.user()), Duration.ofSeconds(5));
            assertThat(ok.verdict()).isEqualTo("allow");
            h.audit.await(e -> e.event().equals("close") && "ci".equals(e.user()), Duration.ofSeconds(5));
            assertThat(String.join("\n", h.audit.jsonLines())).doesNotContain("correct horse").doesNotContain("from-a-file")
                    .doesNotContain(Base64.getEncoder().encodeToString("agent:correct horse".getBytes(StandardCharsets.UTF_8)))
                    .doesNotContain(HASH);
        }
    }

    @Test
    void aUserRemovedByAReloadIsRefusedAtOnce() throws Exception {
        String users = "auth:\n  users:\n    - name: agent\n      passwordHash: \"" + HASH + "\"\n    - name: ops\n      passwordHash: \"" + HASH + "\"\n";
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(users + allow(origin.port()))) {
            assertThat(h.raw(get(origin.port(), basic("agent", "correct horse")))).startsWith("HTTP/1.1 200 ");
            String withoutAgent = "listen: 127.0.0.1:0\nauth:\n  users:\n    - name: ops\n      passwordHash: \"" + HASH + "\"\n" + allow(origin.port());
            h.proxy.reload(PolicyFileLoader.parse(withoutAgent, "reloaded"));
            assertThat(h.raw(get(origin.port(), basic("agent", "correct horse")))).as("the cached acceptance went with the old users")
                    .startsWith("HTTP/1.1 407 ");
            assertThat(h.raw(get(origin.port(), basic("ops", "correct horse")))).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aReloadThatWouldOpenTheListenerToAnyoneIsRefused() throws Exception {
        String guarded = "listen: 0.0.0.0:0\nclients:\n  allow: [127.0.0.0/8, 10.0.0.0/8]\n";
        try (ProxyServer p = ProxyServer.start(PolicyFileLoader.parse(guarded, "t"), new RecordingAuditSink(), new LoopbackDialGuard())) {
            assertThatThrownBy(() -> p.reload(PolicyFileLoader.parse("listen: 127.0.0.1:0\n", "loopback-only file")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("would let any host reach an open proxy");
            assertThat(p.policy().clientsAllow()).as("the old policy stays").hasSize(2);
        }
    }

    @Test
    void aTunnelNeedsCredentialsToo() throws Exception {
        String users = "auth:\n  users:\n    - name: agent\n      passwordHash: \"" + HASH + "\"\n";
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(users + allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            assertThat(h.raw("CONNECT " + a + " HTTP/1.1\r\nHost: " + a + "\r\n\r\n")).startsWith("HTTP/1.1 407 ");
            try (Socket s = client(h)) {
                send(s, "CONNECT " + a + " HTTP/1.1\r\nHost: " + a + "\r\nProxy-Authorization: " + basic("agent", "correct horse") + "\r\n\r\n"
                        + "GET /echo HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n");
                String answer = readAll(s.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 200 Connection established").contains("GET /echo body=0");
            }
        }
    }

    @Test
    void aMissingSecretOrABadHashIsAConfigErrorNamingTheUser(@TempDir Path dir) {
        String yaml = "auth:\n  users:\n    - name: a\n      passwordHash: \"md5$xyz\"\n    - name: b\n      passwordFile: " + dir.resolve("absent")
                + "\n    - name: c\n      passwordEnv: EGRESSGUARD_TEST_UNSET_VARIABLE\n    - name: d\n";
        assertThatThrownBy(() -> PolicyFileLoader.parse(yaml, "t")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.users[0].passwordHash: \"(redacted)\" (expected: pbkdf2-sha256$")
                .hasMessageContaining("auth.users[1].passwordFile")
                .hasMessageContaining("auth.users[2].passwordEnv: \"EGRESSGUARD_TEST_UNSET_VARIABLE\"")
                .hasMessageContaining("auth.users[3]: (expected: exactly one of passwordHash, passwordFile or passwordEnv)")
                .hasMessageNotContaining("md5$xyz");
    }

    @Test
    void aNonLoopbackListenerNeedsClientsAllowOrAuth() throws Exception {
        assertThatThrownBy(() -> PolicyFileLoader.parse("listen: 0.0.0.0:0\n", "t")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen: \"0.0.0.0:0\"").hasMessageContaining("set clients.allow to the sources that may use the proxy");
        var loopbackOnly = PolicyFileLoader.parse("listen: 127.0.0.1:0\n", "t").withListen(dev.egressguard.core.net.HostPort.of("0.0.0.0", 0));
        assertThatThrownBy(() -> ProxyServer.start(loopbackOnly, new RecordingAuditSink(), new LoopbackDialGuard()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("would let any host reach an open proxy");
        // with clients named, or users, it starts
        try (ProxyServer p = ProxyServer.start(PolicyFileLoader.parse("listen: 0.0.0.0:0\nclients:\n  allow: [127.0.0.0/8, 10.0.0.0/8]\n", "t"),
                new RecordingAuditSink(), new LoopbackDialGuard())) {
            assertThat(p.address().getPort()).isPositive();
        }
        try (ProxyServer p = ProxyServer.start(PolicyFileLoader.parse("listen: 0.0.0.0:0\nauth:\n  users:\n    - name: a\n      passwordHash: \""
                + HASH + "\"\n", "t"), new RecordingAuditSink(), new LoopbackDialGuard())) {
            assertThat(p.address().getPort()).isPositive();
        }
    }

    @Test
    void aTrustedBalancersProxyV1HeaderNamesTheClientForAccessAndAudit() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("clients:\n  allow: [10.1.2.0/24]\n  proxyProtocol:\n    trusted: [127.0.0.1/32]\n" + allow(origin.port()))) {
            String allowed = exchange(h, "PROXY TCP4 10.1.2.3 127.0.0.1 40000 3128\r\n" + get(origin.port(), null));
            assertThat(allowed).startsWith("HTTP/1.1 200 ");
            AuditEvent d = h.audit.await(e -> e.event().equals("decision") && e.host() != null, Duration.ofSeconds(5));
            assertThat(d.client()).isEqualTo("10.1.2.3:40000");

            String outsider = exchange(h, "PROXY TCP4 192.0.2.9 127.0.0.1 40001 3128\r\n" + get(origin.port(), null));
            assertThat(outsider).as("closed before a byte is read").doesNotStartWith("HTTP/1.1 200");
            AuditEvent refused = h.audit.await(e -> "client.not_allowed".equals(e.reason()), Duration.ofSeconds(5));
            assertThat(refused.client()).isEqualTo("192.0.2.9:40001");
            Thread.sleep(200);
            assertThat(h.audit.events()).as("the request behind the refused client's header is never decided")
                    .filteredOn(e -> "192.0.2.9:40001".equals(e.client()) && e.event().equals("decision")).hasSize(1);

            String noHeader = exchange(h, get(origin.port(), null));
            assertThat(noHeader).as("a trusted balancer must send the header").doesNotStartWith("HTTP/1.1 200");
            assertThat(origin.seen()).hasSize(1);
        }
    }

    @Test
    void aProxyV2BinaryHeaderWorksToo() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("clients:\n  allow: [10.1.2.0/24]\n  proxyProtocol:\n    trusted: [127.0.0.1/32]\n" + allow(origin.port()));
             Socket s = client(h)) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A}); // v2 signature
            out.write(new byte[] {0x21, 0x11, 0x00, 0x0C}); // PROXY, TCP over IPv4, 12 address bytes
            out.write(new byte[] {10, 1, 2, 77, 127, 0, 0, 1, (byte) 0x9c, 0x41, 0x0c, 0x38}); // 10.1.2.77:40001 -> 127.0.0.1:3128
            out.write(get(origin.port(), null).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            AuditEvent d = h.audit.await(e -> e.event().equals("decision") && e.host() != null, Duration.ofSeconds(5));
            assertThat(d.client()).isEqualTo("10.1.2.77:40001");
        }
    }

    @Test
    void anUntrustedSendersProxyHeaderIsNotBelieved() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("clients:\n  allow: [127.0.0.0/8]\n  proxyProtocol:\n    trusted: [10.9.9.9/32]\n" + allow(origin.port()))) {
            String answer = exchange(h, "PROXY TCP4 10.1.2.3 127.0.0.1 40000 3128\r\n" + get(origin.port(), null));
            assertThat(answer).as("just a malformed request from an ordinary client").startsWith("HTTP/1.1 400 ");
            assertThat(origin.seen()).isEmpty();
        }
    }

    private static String exchange(ProxyHarness h, String bytes) throws Exception {
        try (Socket s = client(h)) {
            send(s, bytes);
            return readAll(s.getInputStream());
        } catch (SocketException reset) {
            return "";
        }
    }
}
