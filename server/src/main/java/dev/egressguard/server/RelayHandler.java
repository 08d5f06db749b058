package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves raw bytes from this channel to its peer: writability back-pressure (a full peer stops
 * reads here), half-close passed through (a FIN here shuts the peer's output once flushed),
 * release of what cannot be delivered, and both sides closed after flush.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RelayHandler.class);
    /** Both directions are done: the last bytes get this long to go out before the close (nobody watches the tunnel then). */
    private static final long LAST_FLUSH_SECONDS = 30;

    private final Channel peer;

    RelayHandler(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        peer.write(msg).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        peer.config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            halfClose(ctx.channel());
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // limits.idleTimeout: no byte either way for that long ends the tunnel, both sides
            ctx.close();
            peer.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void halfClose(Channel self) {
        if (!(peer instanceof DuplexChannel) || !peer.isActive()) {
            Channels.closeOnFlush(self);
            return;
        }
        DuplexChannel duplexPeer = (DuplexChannel) peer;
        peer.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (!f.isSuccess() || duplexPeer.isInputShutdown()) {
                bothDone(self); // the peer had finished too (or is gone)
                return;
            }
            // from now on the peer's own end of file finishes the tunnel: Netty closes it then rather
            // than shutting the input of a socket that is already half closed (ENOTCONN, two exceptions)
            peer.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
            duplexPeer.shutdownOutput().addListener(s -> {
                boolean selfDone = self instanceof DuplexChannel && ((DuplexChannel) self).isOutputShutdown();
                if (!s.isSuccess() || selfDone || duplexPeer.isInputShutdown()) {
                    bothDone(self);
                }
            });
        });
    }

    /** Both directions are done: the peer closes, and self once its last bytes from the peer are out. */
    private void bothDone(Channel self) {
        Channels.closeIfOpen(peer);
        Channels.closeOnFlush(self, LAST_FLUSH_SECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channels.closeOnFlush(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.logAndClose(log, ctx, cause, "relay");
        Channels.closeOnFlush(peer);
    }
}
