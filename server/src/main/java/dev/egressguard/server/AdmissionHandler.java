package dev.egressguard.server;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Admission of a client connection, once its real address is known (after a PROXY header) and
 * before any request reaches the exchange: a source outside {@code clients.allow} is closed at once
 * (and audited); a connection over the connection limits is kept just long enough to answer its
 * first request with 503 or 429 — this handler answers it — and is never counted; an admitted one
 * is counted until it closes, and this handler leaves the pipeline.
 */
final class AdmissionHandler extends ChannelInboundHandlerAdapter {
    /** An over-limit connection gets this long for a request to answer, not the full head timeout. */
    static final long REFUSED_GRACE_MILLIS = 2_000;

    private final ProxyContext proxy;
    private final TrafficCounter traffic;
    private Reason overLimit;
    private boolean answered;
    private boolean requestEnded;

    AdmissionHandler(ProxyContext proxy, TrafficCounter traffic) {
        this.proxy = proxy;
        this.traffic = traffic;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Optional<Reason> refused = ConnectionAdmission.admit(proxy, ctx.channel());
        if (refused.isEmpty()) {
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
            return;
        }
        if (refused.get() == Reason.CLIENT_NOT_ALLOWED) {
            // Stays in the pipeline, dropping everything: bytes a load balancer sent behind its
            // PROXY header arrive in this same turn and must never reach an exchange.
            answered = true;
            ctx.channel().config().setAutoRead(false);
            ctx.close();
            return;
        }
        overLimit = refused.get();
        ctx.executor().schedule(() -> {
            if (!answered) {
                ctx.close(); // a connection flood cannot hold descriptors for long
            }
        }, REFUSED_GRACE_MILLIS, TimeUnit.MILLISECONDS); // the exchange never sees this connection
    }

    /** Only a refused connection still has this handler: its first request is answered, the rest dropped. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean first = !answered && msg instanceof HttpRequest;
        requestEnded |= msg instanceof LastHttpContent;
        String method = msg instanceof HttpRequest ? ((HttpRequest) msg).method().name() : null;
        ReferenceCountUtil.release(msg);
        if (!first) {
            return;
        }
        answered = true;
        Decision refusal = Decision.deny(overLimit, "limits");
        Exchange exchange = new Exchange(proxy, proxy.nextConnectionId() + "-1", ClientAddress.text(ctx.channel()), method, 0, 0);
        exchange.decided(refusal);
        LingeringCloseHandler.answerThenClose(ctx, ErrorResponses.forDecision(refusal), exchange, ErrorResponses.errorFor(refusal).type(),
                () -> requestEnded, traffic);
    }
}
