package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A lingering close (as nginx does) after an answer that ends the connection while the client may
 * still be sending: a client that sends its whole body before reading — Python's requests, httpx
 * and urllib do — would otherwise meet a reset that destroys the answer in its receive buffer. Our
 * side is shut for writing; the rest of the request is read and dropped until it ends, the next
 * request begins, the client closes, or {@link #LINGER_MILLIS} / {@link #LINGER_MAX_BYTES} pass.
 */
final class LingeringCloseHandler extends ChannelInboundHandlerAdapter {
    static final long LINGER_MILLIS = 5_000;
    static final long LINGER_MAX_BYTES = 64L * 1024 * 1024;

    private final TrafficCounter traffic;
    private final long fromByte;

    private LingeringCloseHandler(TrafficCounter traffic) {
        this.traffic = traffic;
        this.fromByte = traffic.bytesRead();
    }

    /**
     * Writes an exchange's one final answer from {@code answering}'s place in the pipeline, records
     * its close event, and closes the connection — lingering when the request is still arriving.
     */
    static void answerThenClose(ChannelHandlerContext answering, FullHttpResponse answer, Exchange ending, String error,
                                BooleanSupplier requestEnded, TrafficCounter traffic) {
        int status = answer.status().code();
        answering.writeAndFlush(answer).addListener(f -> {
            ending.closed(status, error, traffic.bytesRead(), traffic.bytesWritten());
            closeAfterAnswer(answering, requestEnded.getAsBoolean() || !f.isSuccess(), traffic);
        });
    }

    /**
     * Closes the connection once the answer {@code answering} wrote is out: at once when the request
     * is complete, else after lingering in that handler's place.
     */
    private static void closeAfterAnswer(ChannelHandlerContext answering, boolean requestEnded, TrafficCounter traffic) {
        Channel client = answering.channel();
        if (requestEnded || !client.isActive() || answering.isRemoved()) {
            client.close();
            return;
        }
        client.pipeline().replace(answering.handler(), HandlerNames.LINGER, new LingeringCloseHandler(traffic));
        client.eventLoop().schedule(() -> {
            client.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        if (client instanceof DuplexChannel) {
            ((DuplexChannel) client).shutdownOutput();
        }
        client.config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        if (msg instanceof LastHttpContent || msg instanceof HttpRequest || traffic.bytesRead() - fromByte > LINGER_MAX_BYTES) {
            ctx.close(); // the body ended (or the next request began, or too much came): done
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
