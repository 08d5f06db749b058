package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Builds an upstream channel's pipeline, and does nothing else: for forwarding, the HTTP codec and
 * the {@link UpstreamResponseHandler}; for a CONNECT tunnel, only the error handler until the relay
 * takes over.
 */
final class UpstreamInitializer extends ChannelInitializer<Channel> {
    /** Upstream response heads larger than this are refused (502). */
    static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

    private final UpstreamResponseHandler responses;

    private UpstreamInitializer(UpstreamResponseHandler responses) {
        this.responses = responses;
    }

    static UpstreamInitializer forHttp(UpstreamResponseHandler responses) {
        return new UpstreamInitializer(responses);
    }

    static UpstreamInitializer forTunnel() {
        return new UpstreamInitializer(null);
    }

    @Override
    protected void initChannel(Channel ch) {
        if (responses == null) {
            ch.pipeline().addLast(HandlerNames.UPSTREAM_ERRORS, UpstreamErrorHandler.INSTANCE);
            return;
        }
        ch.pipeline().addLast(HandlerNames.UPSTREAM_CODEC, new UpstreamResponseDecoder.Codec(MAX_RESPONSE_HEADER_BYTES));
        ch.pipeline().addLast(HandlerNames.UPSTREAM_RESPONSE, responses);
    }
}
