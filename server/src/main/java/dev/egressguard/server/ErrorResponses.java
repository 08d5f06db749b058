package dev.egressguard.server;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Every refusal the client sees, built in one place: the status, an RFC 9209 {@code Proxy-Status}
 * whose error type tells a policy denial (403, {@code destination_ip_prohibited} or
 * {@code http_request_denied}) from an upstream failure (502/504), the reason code in
 * {@code X-Egressguard-Reason}, and a short text body naming reason and rule. Request headers are
 * never echoed.
 */
final class ErrorResponses {
    static final String PROXY_STATUS = "Proxy-Status";
    static final String REASON_HEADER = "X-Egressguard-Reason";
    private static final String PROXY_NAME = "egressguard";

    private ErrorResponses() {}

    /** The refusal for a request the decoder could not accept. */
    static Decision refusalFor(Throwable decoderFailure) {
        if (decoderFailure instanceof TooLongFrameException) {
            return Decision.deny(Reason.REQUEST_HEADER_TOO_LARGE, "limits.maxHeaderBytes");
        }
        if (decoderFailure instanceof StrictHttpRequestDecoder.UnsupportedVersionException) {
            return Decision.deny(Reason.REQUEST_VERSION, "request:version");
        }
        if (decoderFailure instanceof StrictHttpRequestDecoder.SmugglingShapeException) {
            return Decision.deny(Reason.REQUEST_INVALID, ((StrictHttpRequestDecoder.SmugglingShapeException) decoderFailure).rule());
        }
        return Decision.deny(Reason.REQUEST_INVALID, "request:malformed");
    }

    /** The error type for an upstream connection that could not be opened. */
    static ProxyStatusError upstreamErrorFor(Throwable connectFailure) {
        if (connectFailure instanceof SecurityException) {
            return ProxyStatusError.PROXY_INTERNAL_ERROR; // the dial guard refused: a bug, fail closed
        }
        if (connectFailure instanceof ConnectTimeoutException) {
            return ProxyStatusError.CONNECTION_TIMEOUT;
        }
        return ProxyStatusError.CONNECTION_REFUSED;
    }

    /** The error type for a denying decision. */
    static ProxyStatusError errorFor(Decision decision) {
        Reason r = decision.reason();
        switch (r) {
            case DNS_ERROR:
                return ProxyStatusError.DNS_ERROR;
            case DNS_NO_ANSWER:
                return ProxyStatusError.DESTINATION_NOT_FOUND;
            case DNS_TIMEOUT:
                return ProxyStatusError.DNS_TIMEOUT;
            case REQUEST_INVALID:
            case REQUEST_VERSION:
            case REQUEST_HEADER_TOO_LARGE:
            case REQUEST_TIMEOUT:
            case HOST_INVALID:
            case URL_INVALID:
            case URL_UNSUPPORTED_SCHEME:
                return ProxyStatusError.HTTP_REQUEST_ERROR;
            case INTERNAL_ERROR:
            case AUDIT_BACKLOG:
                return ProxyStatusError.PROXY_INTERNAL_ERROR;
            case LIMIT_CONNECTIONS:
            case LIMIT_CLIENT_CONNECTIONS:
            case LIMIT_TUNNELS:
                return ProxyStatusError.CONNECTION_LIMIT_REACHED;
            case LIMIT_RATE:
            case PROXY_DRAINING:
                return ProxyStatusError.PROXY_INTERNAL_RESPONSE;
            default:
                return r.code().startsWith("ip.") ? ProxyStatusError.DESTINATION_IP_PROHIBITED : ProxyStatusError.HTTP_REQUEST_DENIED;
        }
    }

    /** The HTTP status for a denying decision. */
    static int statusFor(Decision decision) {
        switch (decision.reason()) {
            case REQUEST_HEADER_TOO_LARGE:
                return 431;
            case REQUEST_TIMEOUT:
                return 408;
            case REQUEST_VERSION:
                return 505;
            case AUDIT_BACKLOG:
            case LIMIT_CONNECTIONS:
            case LIMIT_TUNNELS:
            case PROXY_DRAINING:
                return 503;
            case LIMIT_CLIENT_CONNECTIONS:
            case LIMIT_RATE:
                return 429;
            case CLIENT_AUTH_REQUIRED:
            case CLIENT_AUTH_FAILED:
                return 407;
            default:
                return errorFor(decision).status();
        }
    }

    /** The response for a denying decision. */
    static FullHttpResponse forDecision(Decision decision) {
        String rule = decision.rule().map(r -> "; rule " + r).orElse("");
        String details = decision.reason().code() + decision.rule().map(r -> " " + r).orElse("");
        int status = statusFor(decision);
        String kind = status == 403 ? "denied by policy" : status == 407 ? "proxy authentication required"
                : status == 429 || status == 503 ? "refused for now" : "request failed";
        String body = "egressguard: " + kind + ": " + decision.reason().code() + " (" + decision.reason().description() + ")" + rule + "\n";
        FullHttpResponse r = build(status, errorFor(decision), details, decision.reason().code(), body);
        if (status == 429 || status == 503) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
        }
        if (status == 407) {
            r.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"egressguard\", charset=\"UTF-8\"");
        }
        return r;
    }

    /** The response for an upstream failure after the policy allowed the destination. */
    static FullHttpResponse forUpstream(ProxyStatusError error, String details) {
        String body = "egressguard: upstream failure: " + error.type() + " (" + details + ")\n";
        return build(error.status(), error, details, null, body);
    }

    /**
     * The status line carries the code too ({@code 403 Forbidden (egressguard: ip.loopback)}): many
     * clients show a refused CONNECT's status line and nothing else.
     */
    static HttpResponseStatus statusLine(int status, String code) {
        return new HttpResponseStatus(status, HttpResponseStatus.valueOf(status).reasonPhrase() + " (" + PROXY_NAME + ": " + code + ")");
    }

    private static FullHttpResponse build(int status, ProxyStatusError error, String details, String reasonCode, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, statusLine(status, reasonCode != null ? reasonCode : error.type()),
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set(PROXY_STATUS, PROXY_NAME + "; error=" + error.type() + "; details=\"" + sfString(details) + "\"");
        if (reasonCode != null) {
            r.headers().set(REASON_HEADER, reasonCode);
        }
        return r;
    }

    /** An RFC 8941 sf-string body: printable ASCII, with quotes and backslashes escaped. */
    private static String sfString(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
