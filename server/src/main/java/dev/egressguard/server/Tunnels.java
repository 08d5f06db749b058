package dev.egressguard.server;

import dev.egressguard.server.tls.TlsHandlerNames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.function.IntConsumer;

/**
 * The switches from HTTP to a raw relay (CONNECT, WebSocket) or to an intercepted TLS tunnel, each
 * in the order that loses no byte and sends no byte through the wrong codec: for a relay the
 * client's decoder leaves before the switch response (bytes it buffered flow into the relay), its
 * encoder only after the response is written, and the upstream reads nothing until both relays are
 * in place.
 */
final class Tunnels {
    private Tunnels() {}

    /**
     * CONNECT: the upstream is connected; answer 200 and relay raw bytes both ways. The client
     * connection's exchange handler has let go of everything; it leaves the pipeline here.
     * {@code sniCheck}, when not null, reads the client's first bytes before the relay does (docs/tls.md).
     */
    static void startConnectTunnel(Channel client, Channel upstream, IntConsumer onClosed, ChannelHandler sniCheck) {
        ChannelPipeline p = client.pipeline();
        p.addLast(HandlerNames.RELAY, new RelayHandler(upstream));
        if (sniCheck != null) {
            p.addBefore(HandlerNames.RELAY, TlsHandlerNames.SNI, sniCheck);
        }
        p.remove(HandlerNames.FRONTEND);
        p.remove(HandlerNames.HTTP_DECODER); // what it held behind the CONNECT head flows into the relay now
        whenBothClosed(client, upstream, () -> onClosed.accept(200));
        client.writeAndFlush(connectEstablished()).addListener(f -> {
            if (!f.isSuccess()) {
                client.close();
                upstream.close();
                return;
            }
            p.remove(HandlerNames.HTTP_ENCODER);
            upstream.pipeline().addLast(HandlerNames.RELAY, new RelayHandler(client));
            startRelaying(client, upstream);
        });
    }

    /**
     * An intercepted CONNECT (docs/tls.md): nothing is dialled; answer 200, then the client's bytes —
     * those the decoder held behind the CONNECT head first — go to {@code tls}, and only after the
     * 200 is out, so that no TLS byte can overtake it. The tunnel's close event follows the client's.
     */
    static void startInterceptedTunnel(Channel client, ChannelHandler tls, IntConsumer onClosed) {
        ChannelPipeline p = client.pipeline();
        p.addLast(TlsHandlerNames.SNI, tls);
        p.remove(HandlerNames.FRONTEND);
        client.closeFuture().addListener(f -> onClosed.accept(200));
        client.writeAndFlush(connectEstablished()).addListener(f -> {
            if (!f.isSuccess()) {
                client.close();
                return;
            }
            p.remove(HandlerNames.HTTP_ENCODER);
            p.remove(HandlerNames.HTTP_DECODER);
            client.config().setAutoRead(true);
        });
    }

    /** WebSocket: the upstream's verified 101 is complete; pass it on, then relay frames as raw bytes both ways. */
    static void switchWebSocket(Channel client, Channel upstream, HttpResponse switching, ArrayDeque<ByteBuf> earlyUpstreamBytes,
                                IntConsumer onClosed) {
        FullHttpResponse response = new DefaultFullHttpResponse(switching.protocolVersion(), switching.status());
        response.headers().set(switching.headers());
        whenBothClosed(client, upstream, () -> onClosed.accept(101));
        client.writeAndFlush(response).addListener(f -> {
            if (!f.isSuccess()) {
                earlyUpstreamBytes.forEach(ByteBuf::release);
                earlyUpstreamBytes.clear();
                client.close();
                upstream.close();
                return;
            }
            // Order: no raw byte may meet an HTTP codec. The client's encoder goes first (the 101 is
            // out); then the upstream's codec, whose bytes after the 101 flow to the client's side;
            // last the client's decoder, whose held bytes (sent behind the upgrade request) flow upstream.
            ChannelPipeline cp = client.pipeline();
            cp.remove(HandlerNames.HTTP_ENCODER);
            ChannelPipeline up = upstream.pipeline();
            up.addLast(HandlerNames.RELAY, new RelayHandler(client));
            up.remove(HandlerNames.UPSTREAM_RESPONSE);
            while (!earlyUpstreamBytes.isEmpty()) {
                client.write(earlyUpstreamBytes.poll()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
            up.remove(HandlerNames.UPSTREAM_CODEC);
            client.flush();
            cp.addLast(HandlerNames.RELAY, new RelayHandler(upstream));
            cp.remove(HandlerNames.FRONTEND);
            cp.remove(HandlerNames.HTTP_DECODER);
            startRelaying(client, upstream);
        });
    }

    /**
     * SOCKS5: the upstream is connected; send the success reply, then relay raw bytes both ways.
     * Bytes the client sent right behind its command — those the handler held, then those still in
     * the decoder — go upstream first, in order.
     */
    static void startSocksTunnel(Channel client, Channel upstream, Object successReply, ArrayDeque<ByteBuf> early, IntConsumer onClosed,
                                 ChannelHandler sniCheck) {
        ChannelPipeline p = client.pipeline();
        p.addLast(HandlerNames.RELAY, new RelayHandler(upstream));
        if (sniCheck != null) { // docs/tls.md: the early bytes (a ClientHello) meet the SNI check before the relay
            p.addBefore(HandlerNames.RELAY, TlsHandlerNames.SNI, sniCheck);
            while (!early.isEmpty()) {
                p.context(HandlerNames.FRONTEND).fireChannelRead(early.poll());
            }
        }
        p.remove(HandlerNames.FRONTEND);
        while (!early.isEmpty()) {
            upstream.write(early.poll()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        upstream.flush();
        p.remove(HandlerNames.SOCKS_DECODER);
        whenBothClosed(client, upstream, () -> onClosed.accept(0));
        client.writeAndFlush(successReply).addListener(f -> {
            if (!f.isSuccess()) {
                client.close();
                upstream.close();
                return;
            }
            p.remove(HandlerNames.SOCKS_ENCODER);
            upstream.pipeline().addLast(HandlerNames.RELAY, new RelayHandler(client));
            startRelaying(client, upstream);
        });
    }

    /** The 200 a CONNECT gets once its tunnel is up. */
    static FullHttpResponse connectEstablished() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection established"));
    }

    /**
     * Tunnels carry bulk data: reads may grow to 1 MiB (a single 256 MiB download went from 69 % to
     * 88 % of the direct path's speed against 256 KiB; docs/benchmarks.md), and each side stops
     * reading once 1 MiB waits for a slow peer, so at most one read more than that is held.
     */
    private static final AdaptiveRecvByteBufAllocator TUNNEL_READS = new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 1024 * 1024);
    private static final WriteBufferWaterMark TUNNEL_WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private static void startRelaying(Channel client, Channel upstream) {
        for (Channel ch : new Channel[] {client, upstream}) {
            ch.config().setRecvByteBufAllocator(TUNNEL_READS);
            ch.config().setWriteBufferWaterMark(TUNNEL_WATER_MARK);
        }
        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        upstream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        upstream.config().setAutoRead(true);
        client.config().setAutoRead(true);
    }

    private static void whenBothClosed(Channel a, Channel b, Runnable action) {
        a.closeFuture().addListener(x -> b.closeFuture().addListener(y -> action.run()));
    }
}
