package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Builds a forwarding upstream channel's pipeline, and does nothing else: the HTTP codec and the
 * {@link UpstreamResponseHandler}. (A CONNECT tunnel's upstream has only the shared
 * {@link UpstreamErrorHandler} until the relay takes over, and needs no initializer.)
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

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(HandlerNames.UPSTREAM_CODEC, new UpstreamResponseDecoder.Codec(MAX_RESPONSE_HEADER_BYTES));
        ch.pipeline().addLast(HandlerNames.UPSTREAM_RESPONSE, responses);
    }
}
