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

    /** The error type for a refusal, by what its reason is about ({@link Reason.Kind}). */
    static ProxyStatusError errorFor(Decision decision) {
        Reason r = decision.reason();
        return switch (r.kind()) {
            case ADDRESS -> ProxyStatusError.DESTINATION_IP_PROHIBITED;
            case DESTINATION_RULE, CLIENT -> ProxyStatusError.HTTP_REQUEST_DENIED;
            case RESOLUTION -> r == Reason.DNS_TIMEOUT ? ProxyStatusError.DNS_TIMEOUT
                    : r == Reason.DNS_NO_ANSWER ? ProxyStatusError.DESTINATION_NOT_FOUND : ProxyStatusError.DNS_ERROR;
            case REQUEST -> ProxyStatusError.HTTP_REQUEST_ERROR;
            case CAPACITY -> r == Reason.LIMIT_RATE || r == Reason.PROXY_DRAINING
                    ? ProxyStatusError.PROXY_INTERNAL_RESPONSE : ProxyStatusError.CONNECTION_LIMIT_REACHED;
            case INTERNAL -> ProxyStatusError.PROXY_INTERNAL_ERROR;
            case ALLOWING -> throw new IllegalArgumentException("not a refusal: " + decision);
        };
    }

    /** The HTTP status for a refusal: its error type's, refined where a reason has a status of its own. */
    static int statusFor(Decision decision) {
        Reason r = decision.reason();
        return switch (r.kind()) {
            case REQUEST -> r == Reason.REQUEST_HEADER_TOO_LARGE ? 431 : r == Reason.REQUEST_TIMEOUT ? 408
                    : r == Reason.REQUEST_VERSION ? 505 : r == Reason.HTTP_HOST_MISMATCH ? 421 : 400;
            case CLIENT -> r == Reason.CLIENT_AUTH_REQUIRED || r == Reason.CLIENT_AUTH_FAILED ? 407 : 403;
            case CAPACITY -> r == Reason.LIMIT_CLIENT_CONNECTIONS || r == Reason.LIMIT_RATE ? 429 : 503;
            case INTERNAL -> r == Reason.AUDIT_BACKLOG ? 503 : 500;
            default -> errorFor(decision).status();
        };
    }

    /** The response for a refusal, in plain text. */
    static FullHttpResponse forDecision(Decision decision) {
        return forRefusal(decision, RefusalBodies.Asked.UNKNOWN);
    }

    /** The response for a refusal of what the client {@code asked}: JSON for a client that accepts it, else text. */
    static FullHttpResponse forRefusal(Decision decision, RefusalBodies.Asked asked) {
        String details = decision.reason().code() + decision.rule().map(r -> " " + r).orElse("");
        int status = statusFor(decision);
        String kind = status == 403 ? "denied by policy" : status == 407 ? "proxy authentication required"
                : status == 429 || status == 503 ? "refused for now" : "request failed";
        boolean json = asked.wantsJson();
        String body = json ? RefusalBodies.json(decision, asked) : RefusalBodies.text(decision, kind);
        FullHttpResponse r = build(status, errorFor(decision), details, decision.reason().code(), body,
                json ? "application/json" : "text/plain; charset=utf-8");
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
        return build(error.status(), error, details, null, body, "text/plain; charset=utf-8");
    }

    /**
     * The status line carries the code too ({@code 403 Forbidden (egressguard: ip.loopback)}): many
     * clients show a refused CONNECT's status line and nothing else.
     */
    static HttpResponseStatus statusLine(int status, String code) {
        return new HttpResponseStatus(status, HttpResponseStatus.valueOf(status).reasonPhrase() + " (" + PROXY_NAME + ": " + code + ")");
    }

    private static FullHttpResponse build(int status, ProxyStatusError error, String details, String reasonCode, String body,
                                          String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, statusLine(status, reasonCode != null ? reasonCode : error.type()),
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
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
