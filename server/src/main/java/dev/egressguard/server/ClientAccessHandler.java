package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.server.audit.AuditSink;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

/** Closes connections from sources outside {@code clients.allow} before a byte is read, and audits the refusal. */
@ChannelHandler.Sharable
final class ClientAccessHandler extends ChannelInboundHandlerAdapter {
    private final Supplier<List<IpRange>> allowed;
    private final AuditSink audit;
    private final Supplier<String> ids;

    ClientAccessHandler(Supplier<List<IpRange>> allowed, AuditSink audit, Supplier<String> ids) {
        this.allowed = allowed;
        this.audit = audit;
        this.ids = ids;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        IpAddress source = IpAddress.fromInetAddress(remote.getAddress());
        for (IpRange r : allowed.get()) {
            if (r.contains(source)) {
                ctx.pipeline().remove(this);
                ctx.fireChannelActive();
                return;
            }
        }
        Exchange refused = new Exchange(audit, ids.get() + "-0", source.toUriHost() + ":" + remote.getPort(), null, 0, 0);
        refused.decided(Decision.deny(Reason.CLIENT_NOT_ALLOWED, "clients.allow"), false);
        refused.closed(0, "client_not_allowed", 0, 0);
        ctx.close();
    }
}
