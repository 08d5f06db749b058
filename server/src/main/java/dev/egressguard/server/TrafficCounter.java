package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.function.IntConsumer;

/**
 * Counts the raw bytes a client connection reads (up) and writes (down). First in the pipeline; the
 * {@link IdleSweeper} watches the counts for {@code limits.idleTimeout}.
 */
final class TrafficCounter extends ChannelDuplexHandler {
    private final IdleSweeper sweeper;
    private ChannelHandlerContext ctx;
    private long bytesRead;
    private long bytesWritten;
    /** The sweeper's: where this counter is in its loop's watch list (-1: not watched), since when and at what count it stood still. */
    int watchSlot = -1;
    long quietSince;
    long movedAtSweep;

    TrafficCounter(IdleSweeper sweeper) {
        this.sweeper = sweeper;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        sweeper.watch(this, ctx.channel().eventLoop());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        sweeper.unwatch(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sweeper.unwatch(this);
        ctx.fireChannelInactive();
    }

    /** No byte either way for {@code limits.idleTimeout}: the handlers behind close the connection. */
    void idle() {
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        bytesRead += size(msg);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        bytesWritten += size(msg);
        ctx.write(msg, promise);
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf) {
            return ((ByteBuf) msg).readableBytes();
        }
        if (msg instanceof ByteBufHolder) {
            return ((ByteBufHolder) msg).content().readableBytes();
        }
        return 0;
    }

    long bytesRead() {
        return bytesRead;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    /** The close event of a tunnel, recorded when both its sides have closed (it holds this counter, not the handler that made it). */
    IntConsumer closeEventOf(Exchange tunnel) {
        return code -> tunnel.closed(code, null, bytesRead, bytesWritten);
    }
}
