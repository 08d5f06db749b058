package dev.egressguard.server.tls;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.server.approval.ApprovalClient;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * What a TLS tunnel needs from the proxy around it, for one CONNECT exchange: dials to the
 * addresses its decision vetted (and nothing else), the audit events of what happens inside, the
 * proxy's answers, its strict request decoder and hop-by-hop rules, and the policy it was admitted
 * under (identity, mode, approver). The proxy implements it; this package never reaches past it.
 */
public interface TunnelServices {
    /** The audit events of one request inside an intercepted tunnel (mode {@code intercept}): one decision, one close. */
    interface InnerExchange {
        /** The decoded path, recorded only when {@code audit.paths} is on; never the query. */
        void path(String decodedPath);

        /** What the approver said, when it was asked. */
        void approval(String auditText);

        void decided(Decision decision);

        /** The close event; {@code error} an RFC 9209 error type or reason code, null when it ended well. */
        void closed(int status, String error, long bytesUp, long bytesDown);
    }

    /** An answer to the client and the error it records. */
    record Answer(FullHttpResponse response, String error) {}

    /** The CONNECT's host as the policy read it (canonical) and its port. */
    String host();

    int port();

    /** Who is asking: the identity's name. */
    String identity();

    EnforcementMode mode();

    /** The approver of the policy the tunnel was admitted under; null when it asks nobody. */
    ApprovalClient approvals();

    /** Opens a connection to the vetted addresses, in order, with {@code initializer} (reads off); completes on {@code loop}. */
    Future<Channel> dial(EventLoop loop, Supplier<ChannelHandler> initializer);

    /** A new request inside the tunnel. */
    InnerExchange begin(String method);

    /** A refusal of the tunnel's TLS itself (SNI, not TLS, the client's handshake): audited (mode {@code tls}), and the tunnel closes. */
    void tlsRefused(Decision decision);

    /** The proxy's answer to a refused request (403, 421, 400, ...); JSON when {@code accept} (the request's Accept) asks for it. */
    Answer refusal(Decision decision, String accept);

    /** The proxy's answer when the upstream could not be reached: connection refused, timeout, dial guard. */
    Answer connectFailure(Throwable cause);

    /** The proxy's answer when the upstream's TLS failed: {@code certificate} for a certificate that did not verify. */
    Answer tlsFailure(boolean certificate, String details);

    /** The proxy's answer when the upstream ended or broke the response before its head. */
    Answer responseFailure(String details);

    /** The proxy's strict HTTP/1.x request decoder, for the requests inside the tunnel. */
    ChannelHandler newRequestDecoder();

    /** Removes what must not cross a proxy: {@code Connection} and what it names, {@code Keep-Alive}, {@code TE}, {@code Upgrade}, {@code Proxy-*}. */
    void stripHopByHop(HttpHeaders headers);

    /** True for the proxy's drain signal (finish what is in flight, take nothing new). */
    boolean isDrainEvent(Object event);

    boolean isDraining();
}
