package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound PROXY protocol (v1 and v2), opt-in: only a connection from a trusted load balancer
 * ({@code clients.proxyProtocol.trusted}) must open with a PROXY header, and only its header is
 * believed; the reported source becomes the client for access control, limits and audit. Anyone
 * else is an ordinary client (a PROXY header from it is just a malformed request). The rest of the
 * pipeline sees {@code channelActive} only once the client is known.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    private final ProxyContext proxy;

    ProxyProtocolHandler(ProxyContext proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        IpAddress peer = IpAddress.fromInetAddress(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
        if (proxy.policy().access().proxyProtocolTrusted().stream().noneMatch(r -> r.contains(peer))) {
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
            return;
        }
        ctx.pipeline().addBefore(ctx.name(), HandlerNames.PROXY_PROTOCOL_DECODER, new HAProxyMessageDecoder());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HAProxyMessage header = (HAProxyMessage) msg;
        try {
            reported(header).ifPresent(a -> ctx.channel().attr(ClientAddress.REPORTED).set(a));
        } finally {
            ReferenceCountUtil.release(header);
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    /** The source a PROXY header reports; empty for LOCAL (health checks) and UNKNOWN, which keep the real peer. */
    static Optional<InetSocketAddress> reported(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY || header.sourceAddress() == null) {
            return Optional.empty();
        }
        return IpLiterals.tryParse(header.sourceAddress())
                .map(ip -> new InetSocketAddress(ip.toInetAddress(), header.sourcePort()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("PROXY protocol header refused from {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
        proxy.metrics().connectionRefused();
        Exchange.refusedConnection(proxy, ctx.channel(), Decision.deny(Reason.CLIENT_PROXY_PROTOCOL, "clients.proxyProtocol"), "proxy_protocol");
        ctx.channel().config().setAutoRead(false);
        ctx.close();
    }
}
