package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readAll;
import static dev.egressguard.server.support.RawHttp.readHead;
import static dev.egressguard.server.support.RawHttp.readResponse;
import static dev.egressguard.server.support.RawHttp.send;
import static dev.egressguard.server.support.ScriptedUpstream.respondToEachHead;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.ScriptedUpstream;
import dev.egressguard.server.support.SinkListener;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Adversarial requests and responses against a real proxy: smuggling and parsing shapes, split
 * reads, pipelining across denials and DNS rebinding, tunnels with early or idle traffic, and
 * upstreams that misbehave (raw scripted origins on 127.0.0.1, opened by explicit allow rules).
 * The "bugs" section holds the cases an adversarial review found broken, each fixed since. Only
 * loopback is ever dialled.
 */
class AdversarialRequestIT {

    private static final int MIB = 1024 * 1024;

    // ---- shared proxy for the refusal table --------------------------------------------------

    static HttpUpstream tableOrigin;
    static ProxyHarness tableProxy;

    @BeforeAll
    static void startTable() throws Exception {
        tableOrigin = HttpUpstream.http("127.0.0.1");
        tableProxy = new ProxyHarness(allow(tableOrigin.port()));
    }

    @AfterAll
    static void stopTable() throws Exception {
        tableProxy.close();
        tableOrigin.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    static Stream<Arguments> refusedShapes() {
        String a = "127.0.0.1:" + tableOrigin.port();
        String get = "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\n";
        String post = "POST http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\n";
        String longName = (("a".repeat(63) + ".").repeat(4)) + "test";
        return Stream.of(
                Arguments.of("bare LF line endings", "GET http://" + a + "/echo HTTP/1.1\nHost: " + a + "\n\n", 400, "request:request-line"),
                Arguments.of("one header ended by a bare LF", get + "X-A: b\nX-B: c\r\n\r\n", 400, "request:malformed"),
                Arguments.of("bare CR inside a header value", get + "X-A: a\rTransfer-Encoding: chunked\r\n\r\n", 400, "request:malformed"),
                Arguments.of("NUL in a header value", get + "X-A: a\u0000b\r\n\r\n", 400, "request:malformed"),
                Arguments.of("vertical tab in a header value", get + "X-A: a\u000bb\r\n\r\n", 400, "request:malformed"),
                Arguments.of("whitespace before the colon", post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400, "request:malformed"),
                Arguments.of("signed Content-Length", post + "Content-Length: +5\r\n\r\nhello", 400, "request:malformed"),
                Arguments.of("Content-Length list 5, 5", post + "Content-Length: 5, 5\r\n\r\nhello", 400, "request:malformed"),
                Arguments.of("Content-Length list 5, 6", post + "Content-Length: 5, 6\r\n\r\nhello!", 400, "request:malformed"),
                Arguments.of("hex Content-Length", post + "Content-Length: 0x5\r\n\r\nhello", 400, "request:malformed"),
                Arguments.of("CL and TE in other cases", post + "content-length: 5\r\nTRANSFER-ENCODING: CHUNKED\r\n\r\n0\r\n\r\n", 400,
                        "request:content-length-and-transfer-encoding"),
                Arguments.of("TE chunked, chunked", post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400, "request:transfer-encoding"),
                Arguments.of("two TE fields", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                        "request:transfer-encoding"),
                Arguments.of("TE chunked, identity", post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400, "request:transfer-encoding"),
                Arguments.of("TE identity", post + "Transfer-Encoding: identity\r\n\r\nhello", 400, "request:transfer-encoding"),
                Arguments.of("TE xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400, "request:transfer-encoding"),
                Arguments.of("TE with a vertical tab", post + "Transfer-Encoding: \u000bchunked\r\n\r\n0\r\n\r\n", 400, "request:malformed"),
                Arguments.of("fragment in the target", "GET http://" + a + "/echo#frag HTTP/1.1\r\nHost: " + a + "\r\n\r\n", 400, "request:bad-uri"),
                Arguments.of("percent-encoded host", "GET http://127.0.0.%31:" + tableOrigin.port() + "/ HTTP/1.1\r\n\r\n", 400, "host.invalid"),
                Arguments.of("name over 253 characters", "GET http://" + longName + ":" + tableOrigin.port() + "/ HTTP/1.1\r\n\r\n", 400, "host.invalid"),
                Arguments.of("label over 63 characters", "GET http://" + "b".repeat(64) + ".test:" + tableOrigin.port() + "/ HTTP/1.1\r\n\r\n", 400,
                        "host.invalid"),
                Arguments.of("Host with userinfo", "GET http://" + a + "/echo HTTP/1.1\r\nHost: evil@" + a + "\r\n\r\n", 400, "request:host-mismatch"),
                Arguments.of("Host with a second authority", "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + ", other.example\r\n\r\n", 400,
                        "request:host-mismatch"),
                Arguments.of("Host without the port", "GET http://" + a + "/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400, "request:host-mismatch"),
                Arguments.of("Host naming another address", "GET http://" + a + "/echo HTTP/1.1\r\nHost: 127.0.0.2:" + tableOrigin.port() + "\r\n\r\n",
                        400, "request:host-mismatch"),
                Arguments.of("lowercase connect", "connect " + a + " HTTP/1.1\r\nHost: " + a + "\r\n\r\n", 400, "request:scheme"),
                Arguments.of("CONNECT in absolute-form", "CONNECT http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\n\r\n", 400,
                        "request:connect-authority"));
    }

    /** Parsing and smuggling shapes: each is refused, the connection closes, and the origin sees nothing. */
    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("refusedShapes")
    void smugglingAndParsingShapesAreRefusedAndNothingIsForwarded(String name, String request, int status, String rule) throws Exception {
        int before = tableOrigin.seen().size();
        String answer = tableProxy.raw(request);
        assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
        assertThat(answer).contains("Proxy-Status: egressguard; error=http_request_error; details=\"").contains(rule);
        assertThat(answer.indexOf("HTTP/1.1", 1)).as("nothing follows the refusal").isEqualTo(-1);
        assertThat(tableOrigin.seen().size()).as("requests that reached the origin").isEqualTo(before);
    }

    // ---- bugs found by review (fixed) ----------------------------------------------------------

    @Test
    void obsFoldSplitAcrossTwoReadsIsStillRefused() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nX-A: one\r\n");
            Thread.sleep(300); // the proxy reads the first part on its own
            send(s, " two\r\nConnection: close\r\n\r\n");
            String answer = readAll(s.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 400 ").contains("request:obs-fold");
            assertThat(origin.seen()).as("requests that reached the origin").isEmpty();
        }
    }

    static Stream<Arguments> brokenChunkedBodies() {
        return Stream.of(
                Arguments.of("chunk size that is not hex", "zz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk lines ended by bare LF", "5\nhello\n0\n\n"),
                Arguments.of("no CRLF after the chunk data", "5\r\nhelloXX0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenChunkedBodies")
    void aChunkedBodyThatFailsToDecodeIsRefusedNotForwardedTruncated(String name, String body) throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            String answer = h.raw("POST http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + body);
            assertThat(answer).startsWith("HTTP/1.1 400 ");
            assertThat(origin.seen()).as("requests that reached the origin as if complete").isEmpty();
        }
    }

    @Test
    void anUnsolicited101IsNotRelayedAndUpstreamBytesAreNotBufferedWithoutBound() throws Exception {
        AtomicLong pushed = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(1);
        try (ScriptedUpstream up = new ScriptedUpstream((i, in, out) -> {
            try {
                readHead(in);
                out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                byte[] chunk = new byte[64 * 1024];
                for (int k = 0; k < 512; k++) {
                    out.write(chunk);
                    pushed.addAndGet(chunk.length);
                }
                out.flush();
            } finally {
                finished.countDown();
            }
        });
             ProxyHarness h = new ProxyHarness(allow(up.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + up.port();
            send(s, "GET http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            String first;
            try {
                first = readHead(s.getInputStream());
            } catch (SocketTimeoutException e) {
                first = "<timeout>";
            }
            finished.await(10, TimeUnit.SECONDS);
            long accepted = pushed.get();
            up.close(); // unblocks the upstream's writer when the proxy pushed back
            assertThat(first).as("the client asked for no upgrade").doesNotStartWith("HTTP/1.1 101");
            assertThat(accepted).as("bytes the proxy took from the upstream with nobody to deliver them to").isLessThan(32L * MIB);
        }
    }

    @Test
    void anUpstreamThatAnsweredBeforeTheBodyEndedIsNotReusedMidBody() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream(respondToEachHead(head -> head.startsWith("POST")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" // answers at once, without reading the body
                : "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond"));
             ProxyHarness h = new ProxyHarness(allow(up.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + up.port();
            send(s, "POST http://" + a + "/upload HTTP/1.1\r\nHost: " + a + "\r\nContent-Length: 10\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("ok");
            send(s, "0123456789");
            send(s, "GET http://" + a + "/second HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n");
            String second = readAll(s.getInputStream());
            assertThat(second).as("the second, unrelated request").startsWith("HTTP/1.1 200 ").endsWith("second");
            String first = up.received(0);
            int next = first.indexOf("GET /second");
            int body = first.indexOf("0123456789");
            assertThat(next < 0 || (body >= 0 && body < next))
                    .as("the connection that carried the POST takes the next request only after the whole body; it read:%n%s", first).isTrue();
        }
    }

    @Test
    void bytesSentRightBehindTheConnectHeadReachTheUpstream() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((i, in, out) -> {
            while (in.read() >= 0) {
                // records what arrives
            }
        });
             ProxyHarness h = new ProxyHarness(allow(up.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + up.port();
            String early = "\u0016\u0003\u0001\u0000\u0004ping";
            send(s, "CONNECT " + a + " HTTP/1.1\r\nHost: " + a + "\r\n\r\n" + early);
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < deadline && (up.connections() == 0 || up.received(0).length() < early.length())) {
                Thread.sleep(20);
            }
            assertThat(up.connections() == 0 ? "" : up.received(0)).isEqualTo(early);
        }
    }

    static Stream<Arguments> undecodableResponses() {
        return Stream.of(
                Arguments.of("two different Content-Length values", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello!!"),
                Arguments.of("not HTTP at all (an SSH banner)", "SSH-2.0-OpenSSH_9.6\r\n"),
                Arguments.of("a head over the 64 KiB upstream limit", "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(70_000) + "\r\nContent-Length: 2\r\n\r\nok"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("undecodableResponses")
    void anUpstreamResponseThatFailsToDecodeBecomesA502(String name, String response) throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((i, in, out) -> {
            readHead(in);
            out.write(response.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            while (in.read() >= 0) {
                // keeps the connection open
            }
        });
             ProxyHarness h = new ProxyHarness(allow(up.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + up.port();
            send(s, "GET http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n");
            assertThat(readAll(s.getInputStream())).startsWith("HTTP/1.1 502 ");
        }
    }

    @Test
    void anOriginCannotForgeTheProxysReasonHeader() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream(respondToEachHead(head -> "HTTP/1.1 403 Forbidden\r\n"
                + "X-Egressguard-Reason: ip.metadata\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
             ProxyHarness h = new ProxyHarness(allow(up.port()))) {
            String a = "127.0.0.1:" + up.port();
            String answer = h.raw("GET http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 403 ");
            assertThat(answer.toLowerCase()).doesNotContain("x-egressguard-reason");
        }
    }

    @Test
    void maxConnectionsPerClientIsEnforced() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("limits:\n  maxConnectionsPerClient: 2\n" + allow(origin.port()));
             Socket one = client(h);
             Socket two = client(h);
             Socket three = client(h)) {
            Thread.sleep(200);
            String a = "127.0.0.1:" + origin.port();
            int ok = 0;
            int refused = 0;
            for (Socket s : List.of(one, two, three)) { // which of the three came in third is the event loops' call
                String answer;
                try {
                    send(s, "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n");
                    answer = readAll(s.getInputStream());
                } catch (SocketException reset) {
                    answer = "";
                }
                if (answer.startsWith("HTTP/1.1 200")) {
                    ok++;
                } else {
                    assertThat(answer).startsWith("HTTP/1.1 429 ").contains("limit.client_connections");
                    refused++;
                }
            }
            assertThat(ok).as("connections admitted from one client, limit 2").isEqualTo(2);
            assertThat(refused).isEqualTo(1);
            assertThat(origin.seen()).hasSize(2);
        }
    }

    // ---- regressions: the proxy already defends -----------------------------------------

    /** Netty's client decoder drops chunked framing from a HEAD response, so the client's next response is not desynchronised. */
    @Test
    void aHeadResponseWithChunkedFramingIsNotFollowedByAChunkTerminator() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream(respondToEachHead(head -> head.startsWith("HEAD")
                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
             ProxyHarness h = new ProxyHarness(allow(up.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + up.port();
            send(s, "HEAD http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            send(s, "GET http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n");
            String rest = readAll(s.getInputStream());
            assertThat(rest).as("what follows the HEAD response's head").startsWith("HTTP/1.1 200 ").endsWith("ok");
        }
    }

    @Test
    void hopByHopAndProxyHeadersNeverReachTheOrigin() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream(respondToEachHead(head -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
             ProxyHarness h = new ProxyHarness(allow(up.port()))) {
            String a = "127.0.0.1:" + up.port();
            String answer = h.raw("GET http://" + a + "/p?q=1 HTTP/1.1\r\nHost: " + a + "\r\n"
                    + "Proxy-Authorization: Basic c2VjcmV0\r\nproxy-connection: keep-alive\r\nPROXY-FOO: bar\r\n"
                    + "Connection: close, X-Secret, Upgrade\r\nX-Secret: s3cr3t\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                    + "Upgrade: h2c\r\nTrailer: X-T\r\nX-Keep: yes\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200 ");
            String seen = up.received(0);
            assertThat(seen).startsWith("GET /p?q=1 HTTP/1.1\r\n");
            List<String> names = seen.lines().skip(1).filter(l -> l.indexOf(':') > 0)
                    .map(l -> l.substring(0, l.indexOf(':')).toLowerCase()).collect(Collectors.toList());
            assertThat(names).contains("x-keep", "host")
                    .noneMatch(n -> n.startsWith("proxy-"))
                    .doesNotContain("x-secret", "keep-alive", "te", "upgrade", "trailer");
            assertThat(seen).doesNotContain("s3cr3t").doesNotContain("c2VjcmV0");
        }
    }

    @Test
    void aConnectionTokenCannotStripTheBodysFraming() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            assertThat(h.raw("POST http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nConnection: close, Transfer-Encoding, Content-Length\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")).startsWith("HTTP/1.1 200 ").endsWith("POST /echo body=5\n");
            assertThat(h.raw("POST http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nConnection: close, Content-Length\r\n"
                    + "Content-Length: 5\r\n\r\nhello")).startsWith("HTTP/1.1 200 ").endsWith("POST /echo body=5\n");
            assertThat(origin.seen()).extracting(HttpUpstream.Seen::bodyBytes).containsExactly(5L, 5L);
        }
    }

    @Test
    void anOriginCannotForgeTheProxysProxyStatusOrSmuggleHopByHopHeaders() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream(respondToEachHead(head -> "HTTP/1.1 403 Forbidden\r\n"
                + "Proxy-Status: egressguard; error=destination_ip_prohibited; details=\"ip.metadata\"\r\n"
                + "Proxy-Authenticate: Basic realm=x\r\nConnection: close, X-Internal\r\nX-Internal: s3cr3t\r\nKeep-Alive: timeout=9\r\n"
                + "Content-Length: 0\r\n\r\n"));
             ProxyHarness h = new ProxyHarness(allow(up.port()))) {
            String a = "127.0.0.1:" + up.port();
            String answer = h.raw("GET http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n").toLowerCase();
            assertThat(answer).startsWith("http/1.1 403 ");
            assertThat(answer).doesNotContain("proxy-status").doesNotContain("proxy-authenticate").doesNotContain("x-internal")
                    .doesNotContain("s3cr3t").doesNotContain("keep-alive");
        }
    }

    @Test
    void aPipelinedRequestToADeniedTargetBehindAnAllowedOneIsDenied() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             SinkListener sink = new SinkListener("127.0.0.1", 0);
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            String d = "127.0.0.1:" + sink.port();
            send(s, "GET http://" + a + "/echo?n=1 HTTP/1.1\r\nHost: " + a + "\r\n\r\n"
                    + "GET http://" + d + "/ HTTP/1.1\r\nHost: " + d + "\r\n\r\n"
                    + "GET http://" + a + "/echo?n=3 HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            String all = readAll(s.getInputStream());
            assertThat(all).startsWith("HTTP/1.1 200 ").contains("GET /echo?n=1 body=0");
            assertThat(all.substring(all.indexOf("body=0"))).contains("HTTP/1.1 403 ").contains("X-Egressguard-Reason: ip.loopback");
            assertThat(all).doesNotContain("n=3");
            assertThat(sink.connections()).as("connections reaching the denied port").isZero();
            assertThat(origin.seen()).hasSize(1);
        }
    }

    @Test
    void aNameThatRebindsBetweenPipelinedRequestsCannotRideTheOpenUpstream() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.2");
             SinkListener sink = new SinkListener("127.0.0.1", origin.port());
             ProxyHarness h = new ProxyHarness("allow:\n  - cidr: 127.0.0.2/32\n    ports: [" + origin.port() + "]\n    reason: origin\n")) {
            h.dns.answer("flip.test", List.of("127.0.0.2"), List.of("127.0.0.1"));
            h.dns.answer("mixed.test", List.of("127.0.0.2"), List.of("127.0.0.2", "127.0.0.1"));
            h.dns.answer("six.test", List.of("127.0.0.2"), List.of("127.0.0.2", "::1"));
            for (String name : List.of("flip.test", "mixed.test", "six.test")) {
                String a = name + ":" + origin.port();
                String req = "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\n\r\n";
                try (Socket s = client(h)) {
                    send(s, req + req);
                    String all = readAll(s.getInputStream());
                    assertThat(all).as(name).startsWith("HTTP/1.1 200 ").contains("GET /echo body=0");
                    assertThat(all.substring(all.indexOf("body=0"))).as(name).contains("HTTP/1.1 403 ").contains("X-Egressguard-Reason: ip.loopback");
                }
                assertThat(h.dns.queries(name)).as(name + " resolved afresh for each request").isEqualTo(2);
            }
            assertThat(sink.connections()).as("connections reaching the rebound address").isZero();
            assertThat(origin.seen()).hasSize(3);
            assertThat(h.dials.dials()).allMatch(d -> d.getAddress().getHostAddress().equals("127.0.0.2"));
        }
    }

    @Test
    void aRequestPipelinedBehindConnectNeverReachesADeniedTarget() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((i, in, out) -> {
            while (in.read() >= 0) {
                // records what arrives
            }
        });
             SinkListener sink = new SinkListener("127.0.0.1", 0);
             ProxyHarness h = new ProxyHarness(allow(up.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + up.port();
            String d = "127.0.0.1:" + sink.port();
            send(s, "CONNECT " + a + " HTTP/1.1\r\nHost: " + a + "\r\n\r\nGET http://" + d + "/ HTTP/1.1\r\nHost: " + d + "\r\n\r\n");
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            Thread.sleep(500);
            assertThat(sink.connections()).isZero();
            assertThat(h.dials.dials()).allMatch(x -> x.getPort() == up.port());
        }
    }

    @Test
    void aWebSocketUpgradeAnsweredWithoutA101StaysHttp() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream(respondToEachHead(head -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno"));
             SinkListener sink = new SinkListener("127.0.0.1", 0);
             ProxyHarness h = new ProxyHarness(allow(up.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + up.port();
            String d = "127.0.0.1:" + sink.port();
            send(s, "GET http://" + a + "/ws HTTP/1.1\r\nHost: " + a + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("no");
            send(s, "GET http://" + d + "/ HTTP/1.1\r\nHost: " + d + "\r\n\r\n");
            assertThat(readAll(s.getInputStream())).startsWith("HTTP/1.1 403 ").contains("ip.loopback");
            assertThat(sink.connections()).isZero();
            String first = up.received(0);
            assertThat(first).as("the upstream got the handshake and nothing raw after it").startsWith("GET /ws HTTP/1.1\r\n")
                    .endsWith("\r\n\r\n").doesNotContain("GET http://");
        }
    }

    @Test
    void aWebSocketGreetingSentWithThe101ReachesTheClient() throws Exception {
        byte[] greeting = {(byte) 0x81, 5, 'h', 'e', 'l', 'l', 'o'};
        try (ScriptedUpstream up = new ScriptedUpstream((i, in, out) -> {
            readHead(in);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            b.write(greeting);
            out.write(b.toByteArray()); // one write: the frame rides in the 101's segment
            out.flush();
            while (in.read() >= 0) {
                // holds the connection
            }
        });
             ProxyHarness h = new ProxyHarness(allow(up.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + up.port();
            send(s, "GET http://" + a + "/ws HTTP/1.1\r\nHost: " + a + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nProxy-Authorization: Basic c2VjcmV0\r\n\r\n");
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 101 ");
            assertThat(s.getInputStream().readNBytes(greeting.length)).isEqualTo(greeting);
            String handshake = up.received(0).toLowerCase();
            assertThat(handshake).contains("upgrade: websocket").contains("connection: upgrade").doesNotContain("proxy-authorization");
        }
    }

    @Test
    void reportModeDialsOnlyTheAnswersAndStillRefusesSmugglingShapes() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.2");
             ProxyHarness h = new ProxyHarness("mode: report\n")) {
            h.dns.answer("mix.test", List.of("127.0.0.2", "127.0.0.1"));
            String named = "mix.test:" + origin.port();
            assertThat(h.raw("GET http://" + named + "/echo HTTP/1.1\r\nHost: " + named + "\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 ");
            AuditEvent d = h.audit.await(e -> e.event().equals("decision") && "mix.test".equals(e.host()), Duration.ofSeconds(5));
            assertThat(d.verdict()).isEqualTo("would_deny");
            assertThat(d.addresses()).containsExactly("127.0.0.2", "127.0.0.1");
            assertThat(h.dials.dials()).extracting(x -> x.getAddress().getHostAddress()).containsExactly("127.0.0.2");
            String a = "127.0.0.2:" + origin.port();
            assertThat(h.raw("POST http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
                    .startsWith("HTTP/1.1 400 ");
            assertThat(h.raw("GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nX-A: one\r\n two\r\n\r\n")).startsWith("HTTP/1.1 400 ");
            assertThat(h.raw("GET http://u:p@" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\n\r\n")).startsWith("HTTP/1.1 400 ");
            assertThat(origin.seen()).hasSize(1);
        }
    }

    @Test
    void aZoneIdOnAnOtherwiseAllowedAddressIsRefused() throws Exception {
        try (ProxyHarness h = new ProxyHarness("allow:\n  - cidr: ::1/128\n    ports: [8]\n    reason: loopback v6\n")) {
            assertThat(h.raw("GET http://[::1%25lo]:8/ HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains("host.invalid zone-id");
            assertThat(h.raw("CONNECT [::1%lo]:8 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains("host.invalid zone-id");
            assertThat(h.dials.dials()).isEmpty();
        }
    }

    @Test
    void confusableAndTrailingDotSpellingsAreJudgedByTheirCanonicalForm() throws Exception {
        try (SinkListener sink = new SinkListener("127.0.0.1", 0);
             ProxyHarness h = new ProxyHarness("")) {
            String p = Integer.toString(sink.port());
            String fullWidthLoopback = new String("\uff11\uff12\uff17.\uff10.\uff10.\uff11".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            List<List<String>> cases = List.of(
                    List.of("loc\u00aalhost:" + p, "400", "request:non-ascii-host"), // raw non-ASCII is no URI host (U+00AA would map to "a")
                    List.of("LOCALHOST..:" + p, "403", "host.blocked_name"),
                    List.of("metadata.google.internal.:80", "403", "host.blocked_name"),
                    List.of("127.0.0.\u00b9:" + p, "400", "request:non-ascii-host"), // (U+00B9 would map to "1")
                    List.of("0x7f.0.0.\u00b9:" + p, "400", "request:non-ascii-host"),
                    List.of("10.0.0.\u00b9.:80", "400", "request:non-ascii-host"),
                    List.of("[127.0.0.1]:" + p, "403", "ip.loopback"), // a bracketed IPv4 is still judged as 127.0.0.1
                    List.of("[localhost]:" + p, "403", "host.blocked_name"),
                    List.of(fullWidthLoopback + ":" + p, "400", "request:non-ascii-host")); // UTF-8 bytes: never re-decoded into some other name
            for (List<String> c : cases) {
                String answer = h.raw("GET http://" + c.get(0) + "/ HTTP/1.1\r\nConnection: close\r\n\r\n");
                assertThat(answer).as(c.get(0)).startsWith("HTTP/1.1 " + c.get(1) + " ").contains(c.get(2));
            }
            assertThat(h.dns.queries("localhost")).isZero();
            assertThat(h.dns.queries("metadata.google.internal")).isZero();
            assertThat(sink.connections()).isZero();
            assertThat(h.dials.dials()).isEmpty();
        }
    }
}
