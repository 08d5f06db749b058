package dev.egressguard.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream end of a CONNECT before (and while) it relays: an I/O error closes the channel,
 * which ends the tunnel through the relay's close handling, with one quiet log line instead of
 * an exception at the pipeline's tail.
 */
@ChannelHandler.Sharable
final class UpstreamErrorHandler extends ChannelInboundHandlerAdapter {
    static final UpstreamErrorHandler INSTANCE = new UpstreamErrorHandler();
    private static final Logger log = LoggerFactory.getLogger(UpstreamErrorHandler.class);

    private UpstreamErrorHandler() {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.logAndClose(log, ctx, cause, "upstream " + ctx.channel().remoteAddress());
    }
}
