package dev.egressguard.server.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The origin connection of an intercepted tunnel: dialled to the addresses the CONNECT's decision
 * vetted (through the proxy's connector: no resolution, the dial guard), verified TLS
 * ({@link UpstreamTls}) → HTTP codec → {@link OriginResponseHandler}, ready only once the TLS
 * handshake has succeeded — so that a certificate that does not verify costs not one request byte —
 * and kept for the tunnel's next request while the origin lets it be.
 */
final class OriginConnection {
    private final TunnelServices services;
    private final UpstreamTls tls;
    private Channel channel;
    private boolean reusable;

    OriginConnection(TunnelServices services, UpstreamTls tls) {
        this.services = services;
        this.tls = tls;
    }

    /** True when the kept connection may carry the next request. */
    boolean isReady() {
        return channel != null && channel.isActive() && reusable;
    }

    /**
     * Dials and verifies a new connection for {@code exchange}'s responses; then {@code ready}, or
     * {@code failed} with the answer for the client. Nothing happens once {@code stillWanted} is false.
     */
    void open(EventLoop loop, InterceptedExchangeHandler exchange, BooleanSupplier stillWanted, Runnable ready,
              Consumer<TunnelServices.Answer> failed) {
        close();
        services.dial(loop, () -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(TlsHandlerNames.UPSTREAM_TLS, tls.newHandler(ch.alloc(), services.host(), services.port()));
                ch.pipeline().addLast(TlsHandlerNames.UPSTREAM_CODEC, new HttpClientCodec(4096, 64 * 1024, 8192));
                ch.pipeline().addLast(TlsHandlerNames.UPSTREAM_RESPONSE, new OriginResponseHandler(exchange));
            }
        }).addListener((Future<Channel> f) -> {
            if (!stillWanted.getAsBoolean()) {
                if (f.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (!f.isSuccess()) {
                failed.accept(services.connectFailure(f.cause()));
                return;
            }
            channel = f.getNow();
            reusable = true;
            channel.config().setAutoRead(true); // the handshake reads; the response is read as it comes
            channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(hs -> {
                if (!stillWanted.getAsBoolean()) {
                    return;
                }
                if (!hs.isSuccess()) {
                    close();
                    boolean certificate = InterceptedRequests.isCertificateProblem(hs.cause());
                    failed.accept(services.tlsFailure(certificate, certificate ? "the certificate of " + services.host() + " did not verify"
                            : "TLS with " + services.host() + " failed")); // no request byte was sent
                    return;
                }
                ready.run();
            });
        });
    }

    Channel channel() {
        return channel;
    }

    boolean holds(Channel ch) {
        return channel != null && channel == ch;
    }

    /** The origin will not take another request on it (it said close, or framed the body by closing). */
    void notReusable() {
        reusable = false;
    }

    /** Forgets a connection that closed by itself. */
    void forget() {
        channel = null;
    }

    void close() {
        Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }
}
