package dev.egressguard.server.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's side of an intercepted exchange, after its TLS and HTTP codec: hands the response
 * to the {@link InterceptedExchangeHandler} part by part (releasing what arrives with no exchange
 * to take it), passes on flushes, writability and the end of the connection.
 */
final class OriginResponseHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OriginResponseHandler.class);

    private final InterceptedExchangeHandler exchange;

    OriginResponseHandler(InterceptedExchangeHandler exchange) {
        this.exchange = exchange;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!exchange.isResponding(ctx.channel())) {
            ReferenceCountUtil.release(msg); // nothing asked: an origin that speaks out of turn is closed
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse) {
            exchange.responseHead((HttpResponse) msg);
        }
        if (msg instanceof HttpContent) {
            exchange.responseContent((HttpContent) msg); // it owns the part now
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        exchange.flushClient();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        exchange.upstreamWritabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.upstreamClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("origin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
