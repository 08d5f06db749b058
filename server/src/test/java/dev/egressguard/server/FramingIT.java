package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readHead;
import static dev.egressguard.server.support.RawHttp.readResponse;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.ScriptedUpstream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Message framing across the proxy: upstream connections that sent bytes outside an expected
 * response are never reused, HTTP/1.0 clients get identity bodies, chunk sizes follow the RFC 9112
 * grammar, trailers lose the fields no trailer may carry, and a 101 becomes a relay only when it
 * is the WebSocket switch the client asked for. Raw scripted origins on 127.0.0.1.
 */
class FramingIT {

    @AfterAll
    static void noLeaks() throws InterruptedException {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    // ---- poisoned upstream connections ------------------------------------------------------

    @Test
    void aHeadAnsweredWithABodyDoesNotPoisonTheNextRequest() throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream(ScriptedUpstream.respondToEachHead(head -> head.startsWith("HEAD")
                     ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" // a body a HEAD response must not have
                     : "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nget"));
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, "HEAD http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ").contains("Content-Length: 5");
            send(s, "GET http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nget");
            assertThat(origin.connections()).as("the poisoned connection was not reused").isEqualTo(2);
        }
    }

    @Test
    void anUnsolicitedExtraResponseIsNeverServedToTheNextPipelinedRequest() throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 for (int k = 0; k < 2; k++) {
                     String head = readHead(in);
                     if (head.isEmpty()) {
                         return;
                     }
                     String answer = head.startsWith("GET /first") ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                             + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra" // appended, unasked
                             : "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond";
                     out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                     out.flush();
                 }
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, "GET http://" + a + "/first HTTP/1.1\r\nHost: " + a + "\r\n\r\n"
                    + "GET http://" + a + "/second HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            InputStream in = s.getInputStream();
            assertThat(readResponse(in)).endsWith("first");
            assertThat(readResponse(in)).endsWith("second");
        }
    }

    // ---- HTTP/1.0 clients and versions --------------------------------------------------------

    @Test
    void anHttp10ClientGetsAnIdentityBodyDelimitedByTheClose() throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream(ScriptedUpstream.respondToEachHead(head ->
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n"));
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            String answer = h.raw("GET http://" + a + "/ HTTP/1.0\r\n\r\n");
            String head = answer.substring(0, answer.indexOf("\r\n\r\n") + 4).toLowerCase();
            assertThat(head).startsWith("http/1.1 200 ").doesNotContain("transfer-encoding").contains("connection: close");
            assertThat(answer.substring(head.length())).as("the body, without chunk framing or trailers").isEqualTo("hello world");
            assertThat(origin.received(0)).as("the origin gets HTTP/1.1").startsWith("GET / HTTP/1.1\r\n");
        }
    }

    @Test
    void anHttp10ClientKeepsItsConnectionWhenTheLengthIsKnown() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            for (int k = 0; k < 2; k++) {
                send(s, "GET http://" + a + "/echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                String answer = readResponse(s.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 200 ").contains("connection: keep-alive").endsWith("GET /echo body=0\n");
            }
        }
    }

    static Stream<Arguments> versions() {
        return Stream.of(
                Arguments.of("HTTP/2.0", 505),
                Arguments.of("HTTP/3.0", 505),
                Arguments.of("HTTP/0.9", 505),
                Arguments.of("HTTP/1.2", 200),
                Arguments.of("HTTP/1.9", 200));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("versions")
    void aMajorVersionOtherThanOneIs505AndAHigherMinorIsOneOne(String version, int status) throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            String answer = h.raw("GET http://" + a + "/echo " + version + "\r\nHost: " + a + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
            if (status == 505) {
                assertThat(answer).contains("(egressguard: request.version_not_supported)").contains("request:version");
                assertThat(origin.seen()).isEmpty();
                assertThat(h.audit.await(e -> e.event().equals("decision"), java.time.Duration.ofSeconds(5)).reason())
                        .isEqualTo("request.version_not_supported");
            } else {
                assertThat(origin.seen()).hasSize(1);
            }
        }
    }

    // ---- chunk sizes and trailers -----------------------------------------------------------

    static Stream<Arguments> badChunkSizes() {
        return Stream.of(
                Arguments.of("a size that wraps at 32 bits", "100000005\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a size that wraps to zero", "100000000\r\n\r\nGET http://127.0.0.1/ HTTP/1.1\r\n\r\n"),
                Arguments.of("junk after the size", "5 junk\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("NUL after the size", "5\u0000\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a bare CR after the size", "5\rhello\r\n0\r\n\r\n"),
                Arguments.of("a signed size", "+5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("an empty size", "\r\nhello\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badChunkSizes")
    void aChunkSizeOutsideTheGrammarIsA400AndNothingIsForwardedAsComplete(String name, String body) throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            String answer = h.raw("POST http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
            assertThat(answer).startsWith("HTTP/1.1 400 ");
            assertThat(answer.indexOf("HTTP/1.1", 1)).as("nothing follows the refusal").isEqualTo(-1);
            assertThat(origin.seen()).as("requests that reached the origin as if complete").isEmpty();
        }
    }

    @Test
    void trailerFieldsThatFrameRouteOrAuthenticateAreDroppedBothWays() throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 readHead(in);
                 StringBuilder body = new StringBuilder();
                 while (!body.toString().endsWith("\r\n\r\n") || !body.toString().contains("0\r\n")) {
                     int b = in.read();
                     if (b < 0) {
                         return;
                     }
                     body.append((char) b);
                 }
                 out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
                         + "Set-Cookie: session=stolen\r\nContent-Length: 99\r\nServer-Timing: db;dur=5\r\n\r\n")
                         .getBytes(StandardCharsets.ISO_8859_1));
                 out.flush();
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            String answer = h.raw("POST http://" + a + "/up HTTP/1.1\r\nHost: " + a + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "2\r\nhi\r\n0\r\nHost: evil.example\r\nAuthorization: Bearer x\r\nProxy-Authorization: Basic y\r\nX-Checksum: abc\r\n\r\n");
            String sent = origin.received(0);
            String trailers = sent.substring(sent.indexOf("0\r\n", sent.indexOf("\r\n\r\n")));
            assertThat(trailers).contains("X-Checksum: abc").doesNotContainIgnoringCase("host:")
                    .doesNotContainIgnoringCase("authorization");
            String responseTrailers = answer.substring(answer.indexOf("\r\n0\r\n"));
            assertThat(responseTrailers).containsIgnoringCase("server-timing: db;dur=5").doesNotContainIgnoringCase("set-cookie")
                    .doesNotContainIgnoringCase("content-length");
        }
    }

    // ---- 101 ------------------------------------------------------------------------------------

    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static String upgradeRequest(String authority) {
        return "GET http://" + authority + "/ws HTTP/1.1\r\nHost: " + authority + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    static Stream<Arguments> wrongSwitches() {
        return Stream.of(
                Arguments.of("a switch to h2c", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"),
                Arguments.of("no Sec-WebSocket-Accept",
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
                Arguments.of("a wrong Sec-WebSocket-Accept",
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongSwitches")
    void a101ThatIsNotTheWebSocketTheClientAskedForIsA502(String name, String switching) throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream(ScriptedUpstream.respondToEachHead(head -> switching + "raw bytes"));
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String answer = h.raw(upgradeRequest("127.0.0.1:" + origin.port()));
            assertThat(answer).startsWith("HTTP/1.1 502 Bad Gateway (egressguard: http_upgrade_failed)").doesNotContain("raw bytes");
        }
    }

    @Test
    void bytesPipelinedBehindAnUpgradeRequestReachTheUpstreamAfterThe101() throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 readHead(in);
                 out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                         + ACCEPT + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                 out.flush();
                 byte[] early = in.readNBytes(11);
                 out.write(("echo:" + new String(early, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
                 out.flush();
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            send(s, upgradeRequest("127.0.0.1:" + origin.port()) + "early frame");
            InputStream in = s.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
            assertThat(new String(in.readNBytes(16), StandardCharsets.ISO_8859_1)).isEqualTo("echo:early frame");
        }
    }

    @Test
    void aDeclinedUpgradeLeavesTheConnectionHttpAndThePipelinedRequestIsAnswered() throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream(ScriptedUpstream.respondToEachHead(head -> head.contains("Upgrade")
                     ? "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\ndeclined"
                     : "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext"));
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, upgradeRequest(a) + "GET http://" + a + "/next HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            InputStream in = s.getInputStream();
            assertThat(readResponse(in)).endsWith("declined");
            assertThat(readResponse(in)).endsWith("next");
        }
    }

    @Test
    void aWebSocketRequestWithoutAValidKeyIsA400() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            String answer = h.raw(upgradeRequest(a).replace(KEY, "short"));
            assertThat(answer).startsWith("HTTP/1.1 400 ").contains("request:websocket-key");
            assertThat(origin.seen()).isEmpty();
        }
    }
}
