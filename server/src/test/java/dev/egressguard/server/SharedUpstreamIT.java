package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.RawHttp;
import dev.egressguard.server.support.ScriptedUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream connections shared between client connections ({@code limits.upstreamIdleTimeout}),
 * through a real proxy with one event loop (so which loop a connection lands on is no factor):
 * a client connection that closes leaves its idle upstream for the next one of the same identity
 * to the same destination — counted by the proxy's dials — never for another identity, never to
 * an address the next request's own decision did not vet (a real DNS server on loopback UDP
 * rebinds the name), never once the origin closed it or sent a byte out of turn, and never past
 * the timeout. Every origin is on loopback.
 */
class SharedUpstreamIT {
    static HttpUpstream origin;
    static HttpUpstream other;
    static ScriptedUpstream closing;
    static ScriptedUpstream stray;
    static ProxyHarness harness;

    static String policy(String upstreamIdleTimeout) {
        String ports = "    ports: [" + origin.port() + ", " + closing.port() + ", " + stray.port() + "]\n";
        return "identities:\n  - name: ci\n    clients: [127.0.0.5/32]\n"
                + "destinations:\n  default:\n    default: allow\n  ci:\n    default: allow\n"
                + "limits:\n  upstreamIdleTimeout: " + upstreamIdleTimeout + "\n"
                + "allow:\n  - cidr: 127.0.0.2/32\n" + ports + "    reason: the origin\n"
                + "  - cidr: 127.0.0.3/32\n" + ports + "    reason: the origin's second address\n"
                + "  - cidr: 127.0.0.1/32\n" + ports + "    reason: the scripted origins\n";
    }

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.2");
        other = HttpUpstream.http("127.0.0.3", origin.port());
        // answers one request, then closes while the proxy keeps the connection idle
        closing = new ScriptedUpstream((index, in, out) -> {
            RawHttp.readHead(in);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        });
        // answers one request, then sends a second response nobody asked for on the idle connection
        stray = new ScriptedUpstream((index, in, out) -> {
            RawHttp.readHead(in);
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nconn-" + index).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(100);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nSTRAY!".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(5000);
        });
        String before = System.getProperty("egressguard.eventLoops");
        System.setProperty("egressguard.eventLoops", "1");
        try {
            harness = new ProxyHarness(policy("4s"));
        } finally {
            if (before == null) {
                System.clearProperty("egressguard.eventLoops");
            } else {
                System.setProperty("egressguard.eventLoops", before);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        origin.close();
        other.close();
        closing.close();
        stray.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    @BeforeEach
    void sharingOn() {
        harness.proxy.reload(PolicyFileLoader.parse(policy("4s"), "test policy"));
    }

    /** One request on a fresh client connection, bound to {@code from}, that closes after the response. */
    private static String get(String from, String hostPort, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(harness.address());
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET http://" + hostPort + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(1 << 16), StandardCharsets.ISO_8859_1);
        }
    }

    private static long dialsTo(String address, int port) {
        return harness.dials.dials().stream()
                .filter(a -> a.getAddress().getHostAddress().equals(address) && a.getPort() == port).count();
    }

    /** A name of its own per test (so no test meets another's kept connection), resolving to the origin. */
    private static String named(String name) {
        harness.dns.answer(name, List.of("127.0.0.2"));
        return name + ":" + origin.port();
    }

    @Test
    void theNextClientConnectionOfTheSameIdentityRidesTheIdleUpstream() throws Exception {
        String a = named("five.test");
        long before = dialsTo("127.0.0.2", origin.port());
        for (int i = 0; i < 5; i++) {
            assertThat(get("127.0.0.1", a, "/echo?i=" + i)).startsWith("HTTP/1.1 200").contains("GET /echo?i=" + i + " body=0");
        }
        assertThat(dialsTo("127.0.0.2", origin.port()) - before).as("dials for five client connections").isEqualTo(1);
        assertThat(harness.audit.events().stream().filter(e -> e.event().equals("decision") && "five.test".equals(e.host())).count())
                .as("every request is still decided").isGreaterThanOrEqualTo(5);
    }

    @Test
    void anotherIdentityNeverRidesIt() throws Exception {
        String a = named("identities.test");
        get("127.0.0.1", a, "/echo"); // an idle upstream of the default identity waits now
        long before = dialsTo("127.0.0.2", origin.port());
        assertThat(get("127.0.0.5", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(dialsTo("127.0.0.2", origin.port()) - before).as("ci's first request dials its own").isEqualTo(1);
        assertThat(get("127.0.0.5", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(get("127.0.0.1", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(dialsTo("127.0.0.2", origin.port()) - before).as("each identity rides its own").isEqualTo(1);
    }

    @Test
    void anotherClientAddressOfTheSameIdentityDoesNotRideIt() throws Exception {
        String a = named("addresses.test");
        get("127.0.0.1", a, "/echo");
        long before = dialsTo("127.0.0.2", origin.port());
        assertThat(get("127.0.0.6", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(dialsTo("127.0.0.2", origin.port()) - before).as("127.0.0.6 is default too, but dials its own").isEqualTo(1);
    }

    @Test
    void aConnectionThatCarriedABodyOrConnectionBoundAuthIsNotShared() throws Exception {
        // an origin that answers without reading a body reads it as the next request: the
        // connection must not pass to another client connection after one
        String a = named("bodies.test");
        String post = "POST http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
        assertThat(harness.raw(post)).startsWith("HTTP/1.1 200").contains("POST /echo body=5");
        long before = dialsTo("127.0.0.2", origin.port());
        assertThat(get("127.0.0.1", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(dialsTo("127.0.0.2", origin.port()) - before).as("after a body: a fresh dial").isEqualTo(1);
        String ntlm = "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nAuthorization: NTLM TlRMTVNTUAABAAAA\r\nConnection: close\r\n\r\n";
        assertThat(harness.raw(ntlm)).startsWith("HTTP/1.1 200");
        before = dialsTo("127.0.0.2", origin.port());
        assertThat(get("127.0.0.1", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(dialsTo("127.0.0.2", origin.port()) - before).as("after NTLM: a fresh dial").isEqualTo(1);
        before = dialsTo("127.0.0.2", origin.port());
        assertThat(get("127.0.0.1", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(dialsTo("127.0.0.2", origin.port()) - before).as("after a plain GET: shared").isZero();
    }

    @Test
    void aRequestWhoseDecisionVettedAnotherAddressDoesNotRideIt() throws Exception {
        String a = "shared-rebind.test:" + origin.port();
        harness.dns.answer("shared-rebind.test", List.of("127.0.0.2"), List.of("127.0.0.3"));
        int seenAtOrigin = origin.seen().size();
        assertThat(get("127.0.0.1", a, "/echo?first")).startsWith("HTTP/1.1 200");
        assertThat(get("127.0.0.1", a, "/echo?second")).startsWith("HTTP/1.1 200");
        assertThat(origin.seen().subList(seenAtOrigin, origin.seen().size())).extracting(HttpUpstream.Seen::uri).containsExactly("/echo?first");
        assertThat(other.seen()).extracting(HttpUpstream.Seen::uri).contains("/echo?second");
        assertThat(harness.dns.queries("shared-rebind.test")).isEqualTo(2);
    }

    @Test
    void anUpstreamThatClosedWhileIdleIsNotHandedOn() throws Exception {
        String a = "127.0.0.1:" + closing.port();
        assertThat(get("127.0.0.1", a, "/one")).startsWith("HTTP/1.1 200").endsWith("ok");
        Thread.sleep(300); // the origin's close reaches the proxy
        assertThat(get("127.0.0.1", a, "/two")).startsWith("HTTP/1.1 200").endsWith("ok");
        assertThat(closing.connections()).isEqualTo(2);
    }

    @Test
    void bytesAnIdleUpstreamSendsOutOfTurnCloseItAndReachNoClient() throws Exception {
        String a = "127.0.0.1:" + stray.port();
        assertThat(get("127.0.0.1", a, "/one")).startsWith("HTTP/1.1 200").endsWith("conn-0");
        Thread.sleep(400); // the stray response arrives while the connection is idle
        String second = get("127.0.0.1", a, "/two");
        assertThat(second).startsWith("HTTP/1.1 200").endsWith("conn-1").doesNotContain("STRAY");
        assertThat(stray.connections()).isEqualTo(2);
    }

    @Test
    void anIdleUpstreamClosesAfterTheTimeout() throws Exception {
        harness.proxy.reload(PolicyFileLoader.parse(policy("300ms"), "test policy"));
        String a = named("timeout.test");
        assertThat(get("127.0.0.1", a, "/echo")).startsWith("HTTP/1.1 200");
        long dials = dialsTo("127.0.0.2", origin.port());
        assertThat(get("127.0.0.1", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(dialsTo("127.0.0.2", origin.port()) - dials).as("within the timeout it is shared").isZero();
        Thread.sleep(1_600); // past the timeout and the next sweep
        assertThat(get("127.0.0.1", a, "/echo")).startsWith("HTTP/1.1 200");
        assertThat(dialsTo("127.0.0.2", origin.port()) - dials).as("a kept connection past the timeout is not used").isEqualTo(1);
    }

    @Test
    void zeroSharesNothing() throws Exception {
        harness.proxy.reload(PolicyFileLoader.parse(policy("0s"), "test policy"));
        String a = named("zero.test");
        get("127.0.0.1", a, "/echo");
        long before = dialsTo("127.0.0.2", origin.port());
        for (int i = 0; i < 3; i++) {
            assertThat(get("127.0.0.1", a, "/echo")).startsWith("HTTP/1.1 200");
        }
        assertThat(dialsTo("127.0.0.2", origin.port()) - before).isEqualTo(3);
    }
}
