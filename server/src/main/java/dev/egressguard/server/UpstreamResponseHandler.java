package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands what an upstream HTTP connection produces to the connection's {@link ProxyFrontendHandler}. */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamResponseHandler.class);

    private final ProxyFrontendHandler frontend;

    UpstreamResponseHandler(ProxyFrontendHandler frontend) {
        this.frontend = frontend;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse || msg instanceof HttpContent || msg instanceof ByteBuf) {
            frontend.onUpstreamMessage(ctx.channel(), msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        frontend.onUpstreamReadComplete(ctx.channel());
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        frontend.onUpstreamWritabilityChanged(ctx.channel());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        frontend.onUpstreamClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("upstream connection failed: {}", cause.toString());
        } else {
            log.warn("upstream connection failed: {}", cause.toString());
        }
        ctx.close();
    }
}
