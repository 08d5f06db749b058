package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readHead;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PasswordHash;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.ScriptedUpstream;
import dev.egressguard.server.support.SinkListener;
import dev.egressguard.server.support.Socks5;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SOCKS5 listener against the same policy as the HTTP listener: one table of targets goes
 * through both (CONNECT and SOCKS5 CONNECT) and gets the same decisions in the audit; replies are
 * mapped (0x00, 0x02 policy, 0x04 DNS, 0x05 refused, 0x07 command); data relays both ways, bytes
 * sent right behind the command included; credentials are checked as Basic ones are.
 */
class SocksIT {
    static ScriptedUpstream echo;
    static SinkListener sink;
    static ProxyHarness proxy;
    static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        echo = new ScriptedUpstream((i, in, out) -> {
            byte[] buf = new byte[4096];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                out.write(buf, 0, n);
                out.flush();
            }
        });
        sink = new SinkListener("127.0.0.1", 0);
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = free.getLocalPort(); // nothing listens there once it closes
        }
        proxy = new ProxyHarness("socks:\n  listen: 127.0.0.1:0\nallow:\n  - cidr: 127.0.0.1/32\n    ports: [" + echo.port() + ", " + closedPort
                + "]\n    reason: test origins\n");
        proxy.dns.answer("origin.test", List.of("127.0.0.1"));
        proxy.dns.answer("private.test", List.of("10.0.0.5"));
        proxy.dns.answer("sink.test", List.of("127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        sink.close();
        echo.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    static InetSocketAddress socks() {
        return proxy.proxy.socksAddress().orElseThrow();
    }

    static Stream<Arguments> targets() {
        int e = echo.port();
        return Stream.of(
                Arguments.of("127.0.0.1", e, 0, "allow", "allow.rule"),
                Arguments.of("origin.test", e, 0, "allow", "allow.rule"),
                Arguments.of("127.0.0.1", closedPort, 5, "allow", "allow.rule"),
                Arguments.of("127.0.0.1", 9, 2, "deny", "ip.loopback"),
                Arguments.of("sink.test", sink.port(), 2, "deny", "ip.loopback"),
                Arguments.of("169.254.169.254", 80, 2, "deny", "ip.metadata"),
                Arguments.of("::1", 443, 2, "deny", "ip.loopback"),
                Arguments.of("metadata.google.internal", 80, 2, "deny", "host.blocked_name"),
                Arguments.of("0x7f000001", 80, 2, "deny", "host.legacy_ipv4_literal"),
                Arguments.of("private.test", 443, 2, "deny", "ip.private"),
                Arguments.of("nx.test", 443, 4, "deny", "dns.error"),
                Arguments.of("bad host", 443, 2, "deny", "host.invalid"));
    }

    @ParameterizedTest(name = "{0}:{1} -> reply {2}, {3} {4}")
    @MethodSource("targets")
    void aTargetGetsTheSameDecisionThroughBothListeners(String host, int port, int reply, String verdict, String reason) throws Exception {
        proxy.audit.clear();
        Socks5.Reply r = Socks5.connect(socks(), host, port, null, null);
        r.socket().close();
        assertThat(r.code()).as("SOCKS5 reply").isEqualTo(reply);
        AuditEvent bySocks = proxy.audit.await(e -> e.event().equals("decision") && "socks".equals(e.mode()), Duration.ofSeconds(5));
        assertThat(bySocks.verdict()).isEqualTo(verdict);
        assertThat(bySocks.reason()).isEqualTo(reason);
        if (!reason.equals("host.invalid")) { // "bad host" is not even a CONNECT authority: a malformed request there
            String authority = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
            try (Socket s = client(proxy)) {
                send(s, "CONNECT " + authority + " HTTP/1.1\r\n\r\n");
                readHead(s.getInputStream());
            }
            AuditEvent byHttp = proxy.audit.await(e -> e.event().equals("decision") && "connect".equals(e.mode()), Duration.ofSeconds(5));
            assertThat(byHttp.reason()).isEqualTo(bySocks.reason());
            assertThat(byHttp.verdict()).isEqualTo(bySocks.verdict());
            assertThat(byHttp.rule()).isEqualTo(bySocks.rule());
            assertThat(byHttp.addresses()).isEqualTo(bySocks.addresses());
        }
        assertThat(sink.connections()).as("a denied target never sees a connection").isZero();
    }

    @Test
    void dataRelaysBothWaysIncludingBytesSentRightBehindTheCommand() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(socks(), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] name = "origin.test".getBytes(StandardCharsets.US_ASCII);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.write(new byte[] {5, 1, 0, 5, 1, 0, 3, (byte) name.length});
            all.write(name);
            all.write(new byte[] {(byte) (echo.port() >> 8), (byte) echo.port()});
            all.write("early bytes".getBytes(StandardCharsets.US_ASCII)); // greeting, command and data in one write
            out.write(all.toByteArray());
            out.flush();
            InputStream in = s.getInputStream();
            byte[] greeting = in.readNBytes(2);
            assertThat(greeting).containsExactly(5, 0);
            byte[] reply = in.readNBytes(10);
            assertThat(reply[1]).isEqualTo((byte) 0);
            assertThat(new String(in.readNBytes(11), StandardCharsets.US_ASCII)).isEqualTo("early bytes");
            out.write("later".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("later");
        }
        AuditEvent close = proxy.audit.await(e -> e.event().equals("close") && "socks".equals(e.mode()) && e.error() == null,
                Duration.ofSeconds(5));
        assertThat(close.bytesUp()).isPositive();
        assertThat(close.address()).isEqualTo("127.0.0.1");
    }

    @Test
    void onlyConnectIsSupported() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(socks(), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {5, 1, 0, 5, 2, 0, 1, 127, 0, 0, 1, 0, 80}); // BIND
            out.flush();
            InputStream in = s.getInputStream();
            in.readNBytes(2);
            assertThat(in.readNBytes(2)[1]).isEqualTo((byte) 7);
        }
    }

    @Test
    void credentialsAreCheckedAgainstTheProxyUsersAndNameTheIdentity() throws Exception {
        String hash = PasswordHash.of("pw".toCharArray()).encoded();
        try (ProxyHarness auth = new ProxyHarness("socks:\n  listen: 127.0.0.1:0\nauth:\n  users:\n    - name: alice\n      passwordHash: \""
                + hash + "\"\nidentities:\n  - name: coder\n    users: [alice]\ndestinations:\n  coder:\n    default: deny\n    allow: [\"127.0.0.1\"]\n"
                + "allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + echo.port() + "]\n    reason: test origin\n")) {
            InetSocketAddress at = auth.proxy.socksAddress().orElseThrow();
            assertThat(Socks5.connect(at, "127.0.0.1", echo.port(), null, null).code()).as("no credentials offered").isEqualTo(-1);
            assertThat(Socks5.connect(at, "127.0.0.1", echo.port(), "alice", "wrong").code()).as("a wrong password").isEqualTo(-2);
            Socks5.Reply ok = Socks5.connect(at, "127.0.0.1", echo.port(), "alice", "pw");
            ok.socket().close();
            assertThat(ok.code()).isZero();
            AuditEvent d = auth.audit.await(e -> e.event().equals("decision") && "socks".equals(e.mode()), Duration.ofSeconds(5));
            assertThat(d.user()).isEqualTo("alice");
            assertThat(d.identity()).isEqualTo("coder");
            assertThat(auth.audit.events()).filteredOn(e -> e.event().equals("decision")).extracting(AuditEvent::reason)
                    .contains("client.auth_required", "client.auth_failed");
            assertThat(Socks5.connect(at, "origin.test", echo.port(), "alice", "pw").code()).as("not on coder's list").isEqualTo(2);
        }
    }
}
