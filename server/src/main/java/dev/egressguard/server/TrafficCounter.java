package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.function.IntConsumer;

/** Counts the raw bytes a client connection reads (up) and writes (down). First in the pipeline. */
final class TrafficCounter extends ChannelDuplexHandler {
    private long bytesRead;
    private long bytesWritten;

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
