package dev.egressguard.server.tls;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first bytes of an intercepted tunnel, read before anything else: they must be a TLS
 * ClientHello ({@code tls.not_tls} otherwise), and its SNI, if present, must name the CONNECT host
 * ({@code tls.sni_mismatch}). Then the handler gives its place to the server side of TLS with the
 * certificate minted for the CONNECT host — never for the name the client sent — followed by the
 * proxy's strict HTTP decoder and the {@link InterceptedExchangeHandler}. Nothing falls back to
 * passthrough.
 */
final class InterceptSniHandler extends AbstractSniHandler<SslContext> {
    private static final Logger log = LoggerFactory.getLogger(InterceptSniHandler.class);
    private static final int TLS_HANDSHAKE_RECORD = 0x16;
    private static final int MAX_HELLO_BYTES = 64 * 1024;

    /** Why the lookup failed: the reason to audit. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Reason reason;

        Refused(Reason reason) {
            super(reason.code(), null, false, false);
            this.reason = reason;
        }
    }

    private final String host;
    private final LeafCertificates leaves;
    private final TunnelServices services;
    private final Supplier<InterceptedExchangeHandler> exchange;
    private int firstByte = -1;
    private boolean sawClientHello;
    private boolean refused;

    InterceptSniHandler(String host, LeafCertificates leaves, TunnelServices services, Supplier<InterceptedExchangeHandler> exchange) {
        super(MAX_HELLO_BYTES, SniCheckHandler.HELLO_TIMEOUT_MILLIS);
        this.host = host;
        this.leaves = leaves;
        this.services = services;
        this.exchange = exchange;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (refused) {
            in.skipBytes(in.readableBytes()); // closing: what still arrives is dropped, and refused only once
            return;
        }
        if (firstByte < 0 && in.isReadable()) {
            firstByte = in.getUnsignedByte(in.readerIndex());
        }
        super.decode(ctx, in, out);
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
        sawClientHello = clientHello != null;
        return super.lookup(ctx, clientHello);
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, String hostname) {
        if (firstByte != TLS_HANDSHAKE_RECORD || !sawClientHello) {
            return ctx.executor().newFailedFuture(new Refused(Reason.TLS_NOT_TLS));
        }
        if (!SniCheckHandler.sniMatches(hostname, host)) {
            return ctx.executor().newFailedFuture(new Refused(Reason.TLS_SNI_MISMATCH));
        }
        return leaves.contextFor(host, ctx.executor());
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<SslContext> future) {
        if (!future.isSuccess()) {
            refused = true;
            Throwable cause = future.cause();
            if (cause instanceof Refused) {
                Reason reason = ((Refused) cause).reason;
                services.tlsRefused(Decision.deny(reason, reason == Reason.TLS_SNI_MISMATCH ? "tls:sni" : "tls:client-hello"));
            } else {
                log.error("intercepting {}:{} failed: {}", host, services.port(), cause.toString());
                services.tlsRefused(Decision.deny(Reason.INTERNAL_ERROR, "tls:certificate"));
            }
            ctx.close();
            return;
        }
        SslHandler tls = future.getNow().newHandler(ctx.alloc());
        ChannelHandler decoder = services.newRequestDecoder();
        String self = ctx.name();
        ctx.pipeline().addAfter(self, TlsHandlerNames.REQUEST_DECODER, decoder);
        ctx.pipeline().addAfter(TlsHandlerNames.REQUEST_DECODER, TlsHandlerNames.RESPONSE_ENCODER, new HttpResponseEncoder());
        ctx.pipeline().addAfter(TlsHandlerNames.RESPONSE_ENCODER, TlsHandlerNames.EXCHANGE, exchange.get());
        ctx.pipeline().replace(this, TlsHandlerNames.TLS, tls); // the ClientHello it held goes to the TLS handler now
    }
}
