package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PasswordHash;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request line is exactly {@code method SP target SP HTTP/d.d}: tabs, doubled or stray spaces,
 * control bytes and raw non-ASCII in the target are each a 400 with its decision event (never a
 * silent drop), and nothing reaches the origin.
 */
class RequestLineIT {
    static HttpUpstream origin;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.1");
        proxy = new ProxyHarness(allow(origin.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    static Stream<Arguments> badLines() {
        String a = "127.0.0.1:" + origin.port();
        String h = "\r\nHost: " + a + "\r\n\r\n";
        return Stream.of(
                Arguments.of("a tab after the method", "GET\thttp://" + a + "/ HTTP/1.1" + h, "request:request-line"),
                Arguments.of("a tab before the version", "GET http://" + a + "/\tHTTP/1.1" + h, "request:request-line"),
                Arguments.of("two spaces after the method", "GET  http://" + a + "/ HTTP/1.1" + h, "request:request-line"),
                Arguments.of("two spaces before the version", "GET http://" + a + "/  HTTP/1.1" + h, "request:request-line"),
                Arguments.of("a leading space", " GET http://" + a + "/ HTTP/1.1" + h, "request:request-line"),
                Arguments.of("a trailing space", "GET http://" + a + "/ HTTP/1.1 " + h, "request:request-line"),
                Arguments.of("a lowercase version", "GET http://" + a + "/ http/1.1" + h, "request:request-line"),
                Arguments.of("a version without a minor", "GET http://" + a + "/ HTTP/1" + h, "request:request-line"),
                Arguments.of("SOH in the host", "GET http://127.0.0.1\u0001:" + origin.port() + "/ HTTP/1.1" + h, "request:request-line"),
                Arguments.of("NUL in the host", "GET http://127.0.0.1\u0000:" + origin.port() + "/ HTTP/1.1" + h, "request:request-line"),
                Arguments.of("ESC in the host", "GET http://127.0.0.1\u001b:" + origin.port() + "/ HTTP/1.1" + h, "request:request-line"),
                Arguments.of("DEL in the host", "GET http://127.0.0.1\u007f:" + origin.port() + "/ HTTP/1.1" + h, "request:request-line"),
                Arguments.of("SOH in a CONNECT authority", "CONNECT 127.0.0.1\u0001:" + origin.port() + " HTTP/1.1" + h, "request:request-line"),
                Arguments.of("a control byte before the method", "\u0001GET http://" + a + "/ HTTP/1.1" + h, "request:request-line"),
                Arguments.of("raw UTF-8 in the host", "GET http://b\u00c3\u00bccher.test:" + origin.port() + "/ HTTP/1.1\r\nHost: b\u00c3\u00bccher.test:" + origin.port() + "\r\n\r\n", "request:non-ascii-host"),
                Arguments.of("Transfer-Encoding on HTTP/1.0",
                        "POST http://" + a + "/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "request:transfer-encoding"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void isA400WithItsDecisionEventAndNothingForwarded(String name, String request, String rule) throws Exception {
        int seenBefore = origin.seen().size();
        proxy.audit.clear();
        String answer = proxy.raw(request);
        assertThat(answer).startsWith("HTTP/1.1 400 Bad Request (egressguard: ").contains(rule);
        AuditEvent decision = proxy.audit.await(e -> e.event().equals("decision"), Duration.ofSeconds(5));
        assertThat(decision.verdict()).isEqualTo("deny");
        assertThat(decision.rule()).isEqualTo(rule.startsWith("request:") ? rule : decision.rule());
        AuditEvent close = proxy.audit.await(e -> e.event().equals("close"), Duration.ofSeconds(5));
        assertThat(close.status()).isEqualTo(400);
        assertThat(origin.seen()).hasSize(seenBefore);
    }

    @Test
    void anOversizedProxyAuthorizationOnAnAuthProxyIs431Not407() throws Exception {
        String hash = PasswordHash.of("pw".toCharArray()).encoded();
        try (ProxyHarness auth = new ProxyHarness("auth:\n  users:\n    - name: agent\n      passwordHash: \"" + hash + "\"\n"
                + allow(origin.port()))) {
            String a = "127.0.0.1:" + origin.port();
            String answer = auth.raw("GET http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\nProxy-Authorization: Basic "
                    + "A".repeat(93 * 1024) + "\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 431 ").contains("request.header_too_large");
        }
    }
}
