package dev.egressguard.server.tls;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;
import java.util.List;

/**
 * The first bytes of a tunnel that is not intercepted, when the policy configures TLS: a TLS
 * ClientHello whose SNI names another host than the CONNECT closes the tunnel
 * ({@code tls.sni_mismatch}) — SNI fronting past a destination allowlist. No SNI, or no TLS at all,
 * passes. Once read, the handler leaves the pipeline and the bytes it held flow on, untouched.
 */
public final class SniCheckHandler extends AbstractSniHandler<Boolean> {
    /** Time the client has to send its ClientHello. */
    static final long HELLO_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_HELLO_BYTES = 64 * 1024;

    private final String host;
    private final TunnelServices services;
    private boolean refused;

    /** {@code services} audits a refusal; {@code host} is the CONNECT's, canonical. */
    public SniCheckHandler(String host, TunnelServices services) {
        super(MAX_HELLO_BYTES, HELLO_TIMEOUT_MILLIS);
        this.host = host;
        this.services = services;
    }

    /** True when the ClientHello's SNI, if any, names {@code host}. */
    static boolean sniMatches(String sni, String host) {
        return sni == null || Hostnames.canonicalize(sni).map(host::equals).orElse(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (refused) {
            in.skipBytes(in.readableBytes()); // closing: what still arrives is dropped, and refused only once
            return;
        }
        super.decode(ctx, in, out);
    }

    @Override
    protected Future<Boolean> lookup(ChannelHandlerContext ctx, String hostname) {
        return ctx.executor().newSucceededFuture(sniMatches(hostname, host));
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<Boolean> future) {
        if (!future.isSuccess() || !future.getNow()) {
            refused = true;
            services.tlsRefused(Decision.deny(Reason.TLS_SNI_MISMATCH, "tls:sni"));
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this); // what it held flows on to the relay
    }
}
