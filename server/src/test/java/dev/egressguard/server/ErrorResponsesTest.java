package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal maps to a status, a Proxy-Status error type and a reason phrase, by the kind of its reason. */
class ErrorResponsesTest {

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(Reason.IP_LOOPBACK, 403, "destination_ip_prohibited"),
                Arguments.of(Reason.IP_METADATA, 403, "destination_ip_prohibited"),
                Arguments.of(Reason.IP_EMBEDDED_IPV4, 403, "destination_ip_prohibited"),
                Arguments.of(Reason.HOST_BLOCKED_NAME, 403, "http_request_denied"),
                Arguments.of(Reason.HOST_LEGACY_IPV4_LITERAL, 403, "http_request_denied"),
                Arguments.of(Reason.PORT_NOT_ALLOWED, 403, "http_request_denied"),
                Arguments.of(Reason.DEST_NOT_ALLOWED, 403, "http_request_denied"),
                Arguments.of(Reason.APPROVAL_TIMEOUT, 403, "http_request_denied"),
                Arguments.of(Reason.HTTP_RULE_DENIED, 403, "http_request_denied"),
                Arguments.of(Reason.HTTP_METHOD_DENIED, 403, "http_request_denied"),
                Arguments.of(Reason.TLS_CLEARTEXT_REFUSED, 403, "http_request_denied"),
                Arguments.of(Reason.HTTP_HOST_MISMATCH, 421, "http_request_error"),
                Arguments.of(Reason.HTTP_PATH_INVALID, 400, "http_request_error"),
                Arguments.of(Reason.DNS_ERROR, 502, "dns_error"),
                Arguments.of(Reason.DNS_NO_ANSWER, 502, "destination_not_found"),
                Arguments.of(Reason.DNS_TIMEOUT, 504, "dns_timeout"),
                Arguments.of(Reason.REQUEST_INVALID, 400, "http_request_error"),
                Arguments.of(Reason.HOST_INVALID, 400, "http_request_error"),
                Arguments.of(Reason.REQUEST_HEADER_TOO_LARGE, 431, "http_request_error"),
                Arguments.of(Reason.REQUEST_TIMEOUT, 408, "http_request_error"),
                Arguments.of(Reason.REQUEST_VERSION, 505, "http_request_error"),
                Arguments.of(Reason.CLIENT_AUTH_REQUIRED, 407, "http_request_denied"),
                Arguments.of(Reason.CLIENT_AUTH_FAILED, 407, "http_request_denied"),
                Arguments.of(Reason.LIMIT_CONNECTIONS, 503, "connection_limit_reached"),
                Arguments.of(Reason.LIMIT_CLIENT_CONNECTIONS, 429, "connection_limit_reached"),
                Arguments.of(Reason.LIMIT_TUNNELS, 503, "connection_limit_reached"),
                Arguments.of(Reason.LIMIT_RATE, 429, "proxy_internal_response"),
                Arguments.of(Reason.PROXY_DRAINING, 503, "proxy_internal_response"),
                Arguments.of(Reason.AUDIT_BACKLOG, 503, "proxy_internal_error"),
                Arguments.of(Reason.INTERNAL_ERROR, 500, "proxy_internal_error"));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @MethodSource("table")
    void mapsByKind(Reason reason, int status, String error) {
        Decision d = Decision.deny(reason, "rule:x");
        FullHttpResponse r = ErrorResponses.forDecision(d);
        try {
            assertThat(r.status().code()).isEqualTo(status);
            assertThat(r.status().reasonPhrase()).endsWith("(egressguard: " + reason.code() + ")");
            assertThat(r.headers().get(ErrorResponses.PROXY_STATUS)).startsWith("egressguard; error=" + error + ";");
            assertThat(r.headers().get(ErrorResponses.REASON_HEADER)).isEqualTo(reason.code());
        } finally {
            r.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void everyRefusingReasonHasAnAnswerAndNoAllowingOneDoes(Reason reason) {
        if (reason.isAllowing()) {
            assertThatThrownBy(() -> ErrorResponses.errorFor(Decision.deny(reason))).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        FullHttpResponse r = ErrorResponses.forDecision(Decision.deny(reason));
        try {
            assertThat(r.status().code()).isBetween(400, 599);
        } finally {
            r.release();
        }
    }

    @org.junit.jupiter.api.Test
    void decoderAndConnectFailuresMapTooAndUpstreamFailuresNameTheirType() {
        assertThat(ErrorResponses.refusalFor(new TooLongFrameException("big")).reason()).isEqualTo(Reason.REQUEST_HEADER_TOO_LARGE);
        assertThat(ErrorResponses.refusalFor(new IllegalArgumentException("x")).rule()).contains("request:malformed");
        assertThat(ErrorResponses.upstreamErrorFor(new io.netty.channel.ConnectTimeoutException("t"))).isEqualTo(ProxyStatusError.CONNECTION_TIMEOUT);
        assertThat(ErrorResponses.upstreamErrorFor(new java.net.ConnectException("r"))).isEqualTo(ProxyStatusError.CONNECTION_REFUSED);
        assertThat(ErrorResponses.upstreamErrorFor(new SecurityException("guard"))).isEqualTo(ProxyStatusError.PROXY_INTERNAL_ERROR);
        FullHttpResponse r = ErrorResponses.forUpstream(ProxyStatusError.HTTP_UPGRADE_FAILED, "why");
        try {
            assertThat(r.status().code()).isEqualTo(502);
            assertThat(r.status().reasonPhrase()).isEqualTo("Bad Gateway (egressguard: http_upgrade_failed)");
            assertThat(r.headers().contains(ErrorResponses.REASON_HEADER)).as("no policy reason on an upstream failure").isFalse();
        } finally {
            r.release();
        }
    }
}
