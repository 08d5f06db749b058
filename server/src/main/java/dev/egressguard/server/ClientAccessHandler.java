package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;

/**
 * Admission of a client connection, before a byte of it is read: a source outside
 * {@code clients.allow} is closed (and audited); a connection over the connection limits is kept
 * just long enough to answer its first request with 503 or 429 (the frontend does that), and is
 * never counted; an admitted one is counted until it closes.
 */
@ChannelHandler.Sharable
final class ClientAccessHandler extends ChannelInboundHandlerAdapter {
    private final ProxyContext proxy;

    ClientAccessHandler(ProxyContext proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // only a refused connection still has this handler
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        IpAddress source = ClientAddress.ipOf(ctx.channel());
        boolean allowed = false;
        for (IpRange r : proxy.policy().clientsAllow()) {
            if (r.contains(source)) {
                allowed = true;
                break;
            }
        }
        if (!allowed) {
            proxy.metrics().connectionRefused();
            Exchange refused = new Exchange(proxy, proxy.nextConnectionId() + "-0", ClientAddress.text(ctx.channel()), null, 0, 0);
            refused.decided(Decision.deny(Reason.CLIENT_NOT_ALLOWED, "clients.allow"), false);
            refused.closed(0, "client_not_allowed", 0, 0);
            // Stays in the pipeline, dropping everything: bytes a load balancer sent behind its
            // PROXY header arrive in this same turn and must never reach the frontend.
            ctx.channel().config().setAutoRead(false);
            ctx.close();
            return;
        }
        Optional<Reason> over = proxy.isDraining() ? Optional.of(Reason.PROXY_DRAINING) : proxy.limits().admit(source);
        if (over.isPresent()) {
            proxy.metrics().connectionRefused();
            ctx.channel().attr(ClientAddress.REFUSED).set(over.get());
        } else {
            proxy.metrics().connectionOpened();
            ctx.channel().closeFuture().addListener(f -> {
                proxy.limits().release(source);
                proxy.metrics().connectionClosed();
            });
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
