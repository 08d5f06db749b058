package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;

/** Builds a SOCKS5 client connection's pipeline (RFC 1928 framing by Netty's codec-socks), and does nothing else. */
final class SocksInitializer extends ChannelInitializer<Channel> {
    private final ProxyContext proxy;
    private final ChannelGroup clients;

    SocksInitializer(ProxyContext proxy, ChannelGroup clients) {
        this.proxy = proxy;
        this.clients = clients;
    }

    @Override
    protected void initChannel(Channel ch) {
        TrafficCounter traffic = ProxyInitializer.addFront(ch, proxy, clients);
        ChannelPipeline p = ch.pipeline();
        p.addLast(HandlerNames.SOCKS_ENCODER, Socks5ServerEncoder.DEFAULT);
        p.addLast(HandlerNames.SOCKS_DECODER, new Socks5InitialRequestDecoder());
        p.addLast(HandlerNames.FRONTEND, new SocksHandler(proxy, traffic));
    }
}
