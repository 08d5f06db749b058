package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Requests a proxy must refuse: each gets a clear 4xx, the connection closes, and nothing reaches the origin. */
class MalformedRequestIT {
    static HttpUpstream origin;
    static ProxyHarness harness;

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.1");
        harness = new ProxyHarness("allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port() + "]\n    reason: test origin\n");
    }

    @AfterAll
    static void stop() throws Exception {
        assertThat(origin.seen()).as("requests that reached the origin").isEmpty();
        harness.close();
        origin.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    static Stream<Arguments> refused() {
        String a = "127.0.0.1:" + origin.port();
        String url = "http://" + a;
        return Stream.of(
                Arguments.of("origin-form", "GET /echo HTTP/1.1\r\nHost: " + a + "\r\n\r\n", 400, "request:origin-form"),
                Arguments.of("asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: " + a + "\r\n\r\n", 400, "request:origin-form"),
                Arguments.of("userinfo", "GET http://user:pw@" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\n\r\n", 400, "request:userinfo"),
                Arguments.of("https absolute-form", "GET https://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\n\r\n", 400, "request:https-absolute-form"),
                Arguments.of("bad port", "GET http://127.0.0.1:99999/ HTTP/1.1\r\nHost: 127.0.0.1:99999\r\n\r\n", 400, "request:bad-port-or-host"),
                Arguments.of("port zero CONNECT", "CONNECT 127.0.0.1:0 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "request:bad-port-or-host"),
                Arguments.of("CONNECT without port", "CONNECT 127.0.0.1 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "request:bad-port-or-host"),
                Arguments.of("unbracketed IPv6", "GET http://::1:80/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "request:bad-port-or-host"),
                Arguments.of("bad host", "GET http://exa%00mple.com/ HTTP/1.1\r\nHost: exa%00mple.com\r\n\r\n", 400, "host.invalid"),
                Arguments.of("host mismatch", "GET " + url + "/echo HTTP/1.1\r\nHost: other.example\r\n\r\n", 400, "request:host-mismatch"),
                Arguments.of("two hosts", "GET " + url + "/echo HTTP/1.1\r\nHost: " + a + "\r\nHost: " + a + "\r\n\r\n", 400, "request:host-header"),
                Arguments.of("CL and TE", "POST " + url + "/echo HTTP/1.1\r\nHost: " + a + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        400, "request:content-length-and-transfer-encoding"),
                Arguments.of("duplicate CL", "POST " + url + "/echo HTTP/1.1\r\nHost: " + a + "\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                        400, "request:malformed"),
                Arguments.of("same CL twice", "POST " + url + "/echo HTTP/1.1\r\nHost: " + a + "\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                        400, "request:malformed"),
                Arguments.of("obs-fold", "GET " + url + "/echo HTTP/1.1\r\nHost: " + a + "\r\nX-A: one\r\n two\r\n\r\n", 400, "request:obs-fold"),
                Arguments.of("obs-fold tab", "GET " + url + "/echo HTTP/1.1\r\nHost: " + a + "\r\nX-A: one\r\n\ttwo\r\n\r\n", 400, "request:obs-fold"),
                Arguments.of("TE gzip", "POST " + url + "/echo HTTP/1.1\r\nHost: " + a + "\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                        400, "request:transfer-encoding"),
                Arguments.of("oversize header", "GET " + url + "/echo HTTP/1.1\r\nHost: " + a + "\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n",
                        431, "limits.maxHeaderBytes"),
                Arguments.of("garbage", "\u0001\u0002 nonsense\r\n\r\n", 400, "request:request-line"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refused")
    void isRefusedWithAClearResponseAndClosed(String name, String request, int status, String rule) throws Exception {
        String answer = harness.raw(request);
        assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
        assertThat(answer).contains("Proxy-Status: egressguard; error=http_request_error; details=\"");
        assertThat(answer).contains(rule);
        assertThat(answer).contains("connection: close");
        // raw() read until the proxy closed the connection: nothing more followed the refusal
        assertThat(answer.indexOf("HTTP/1.1", 1)).isEqualTo(-1);
    }

    @Test
    void aSlowHeadIsCutOffWith408() throws Exception {
        try (ProxyHarness quick = new ProxyHarness("limits:\n  requestHeaderTimeout: 300ms\n");
             java.net.Socket s = new java.net.Socket("127.0.0.1", quick.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET http://example.com/ HTTP/1.1\r\nHost: exa".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 408 ");
            assertThat(answer).contains("request.timeout");
        }
    }
}
