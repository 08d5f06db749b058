package dev.egressguard.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseEncoder;

/** Builds a client connection's pipeline, and does nothing else. */
final class ProxyInitializer extends ChannelInitializer<Channel> {
    private final ProxyContext proxy;
    private final ChannelGroup clients;

    ProxyInitializer(ProxyContext proxy, ChannelGroup clients) {
        this.proxy = proxy;
        this.clients = clients;
    }

    @Override
    protected void initChannel(Channel ch) {
        TrafficCounter traffic = addFront(ch, proxy, clients);
        ChannelPipeline p = ch.pipeline();
        p.addLast(HandlerNames.HTTP_DECODER, new StrictHttpRequestDecoder(proxy.policy().limits().maxHeaderBytes()));
        p.addLast(HandlerNames.HTTP_ENCODER, new HttpResponseEncoder());
        p.addLast(HandlerNames.ADMISSION, new AdmissionHandler(proxy, traffic));
        p.addLast(HandlerNames.FRONTEND, new ExchangeHandler(proxy, traffic));
    }

    /**
     * What every client connection starts with, whichever listener took it: drain tracking, the
     * byte counter (which the {@link IdleSweeper} watches for the idle timeout), the PROXY header
     * from a trusted load balancer.
     */
    static TrafficCounter addFront(Channel ch, ProxyContext proxy, ChannelGroup clients) {
        clients.add(ch);
        TrafficCounter traffic = new TrafficCounter(proxy.idleSweeper());
        ChannelPipeline p = ch.pipeline();
        p.addLast(HandlerNames.TRAFFIC, traffic);
        if (!proxy.policy().access().proxyProtocolTrusted().isEmpty()) {
            p.addLast(HandlerNames.PROXY_PROTOCOL, new ProxyProtocolHandler(proxy));
        }
        return traffic;
    }
}
