package dev.egressguard.server;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Optional;

/**
 * The request's shape, judged without I/O: the decoder's verdict, the target from the request line,
 * the {@code Host} header against it, the WebSocket key. Either a {@link ValidRequest} or the
 * refusal that says why not; the head is rewritten for the upstream in place.
 */
final class RequestValidation {
    /** The outcome: exactly one of the two is present. */
    record Outcome(ValidRequest valid, Decision refusal) {
        static Outcome refused(Reason reason, String rule) {
            return new Outcome(null, Decision.deny(reason, rule));
        }
    }

    private RequestValidation() {}

    static Outcome validate(HttpRequest head) {
        if (head.decoderResult().isFailure()) {
            return new Outcome(null, ErrorResponses.refusalFor(head.decoderResult().cause()));
        }
        RequestTarget.Parsed parsed = RequestTarget.parse(head);
        if (parsed.refusal() != null) {
            return Outcome.refused(Reason.REQUEST_INVALID, parsed.refusal().rule());
        }
        RequestTarget target = parsed.target();
        Optional<RequestTarget.Refusal> hostProblem = target.checkHostHeader(head);
        if (hostProblem.isPresent()) {
            return Outcome.refused(Reason.REQUEST_INVALID, hostProblem.get().rule());
        }
        String webSocketKey = null;
        if (target.mode() == RequestTarget.Mode.WEBSOCKET) {
            webSocketKey = WebSocketHandshake.clientKey(head).orElse(null);
            if (webSocketKey == null) {
                return Outcome.refused(Reason.REQUEST_INVALID, "request:websocket-key");
            }
        }
        boolean keepAlive = HttpUtil.isKeepAlive(head);
        boolean http10 = head.protocolVersion().minorVersion() == 0;
        HttpRequest upstreamHead = target.mode() == RequestTarget.Mode.CONNECT ? null : rewrite(head, target);
        return new Outcome(new ValidRequest(target, upstreamHead, keepAlive, http10, webSocketKey), null);
    }

    /**
     * The request as it goes upstream: HTTP/1.1, origin-form, hop-by-hop and Proxy-* headers gone,
     * Host set. The decoder's head holds no buffer, so it is rewritten in place rather than copied.
     */
    private static HttpRequest rewrite(HttpRequest head, RequestTarget target) {
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        head.setUri(target.originForm());
        HopByHopHeaders.strip(head.headers(), target.mode() == RequestTarget.Mode.WEBSOCKET);
        if (!head.headers().contains(HttpHeaderNames.HOST)) {
            head.headers().set(HttpHeaderNames.HOST, target.hostHeader());
        }
        return head;
    }
}
