package dev.egressguard.server.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How the proxy speaks TLS to the origin of an intercepted host: the JDK's roots plus the policy's
 * {@code tls.upstreamTrust}, the origin's name checked against its certificate (HTTPS endpoint
 * identification), the name sent as SNI, ALPN {@code http/1.1}. A certificate that does not verify
 * fails the handshake, and nothing of the request is sent.
 */
public final class UpstreamTls {
    private final SslContext context;

    private UpstreamTls(SslContext context) {
        this.context = context;
    }

    /** The JDK's default roots and {@code extraRoots}. */
    public static UpstreamTls trusting(List<X509Certificate> extraRoots) {
        try {
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            KeyStore roots = KeyStore.getInstance("PKCS12");
            roots.load(null, null);
            int n = 0;
            for (TrustManager tm : defaults.getTrustManagers()) {
                if (tm instanceof X509TrustManager) {
                    for (X509Certificate c : ((X509TrustManager) tm).getAcceptedIssuers()) {
                        roots.setCertificateEntry("jdk-" + n++, c);
                    }
                }
            }
            for (X509Certificate c : extraRoots) {
                roots.setCertificateEntry("upstream-trust-" + n++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(roots);
            return new UpstreamTls(SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(tmf)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_1_1))
                    .build());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build the upstream trust (tls.upstreamTrust): " + e, e);
        }
    }

    /** A client handler for {@code host:port}: SNI {@code host}, its certificate checked for {@code host}. */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        return context.newHandler(alloc, host, port);
    }
}
