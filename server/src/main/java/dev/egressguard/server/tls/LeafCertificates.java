package dev.egressguard.server.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * The certificates the proxy shows clients of intercepted hosts, one per host: ECDSA P-256, valid
 * for {@link #VALIDITY} (never past the CA), signed by the {@link CertificateAuthority}, and the
 * server-side TLS context built on each (ALPN {@code http/1.1} only: a client that offers nothing
 * else fails the handshake). Minted off the event loop on first use and kept — at most
 * {@link #MAX_CACHED} hosts, the least recently used forgotten first — until half their life is
 * gone. Concurrent handshakes for the same host share one minting.
 */
public final class LeafCertificates {
    static final Duration VALIDITY = Duration.ofHours(24);
    static final int MAX_CACHED = 1024;

    private record Leaf(SslContext context, Instant renewAt) {}

    private final CertificateAuthority ca;
    private final Executor minting;
    private final Clock clock;
    private final int maxCached;
    private final Map<String, CompletableFuture<Leaf>> cache = new LinkedHashMap<>(64, 0.75f, true);

    public LeafCertificates(CertificateAuthority ca, Executor minting, Clock clock) {
        this(ca, minting, clock, MAX_CACHED);
    }

    LeafCertificates(CertificateAuthority ca, Executor minting, Clock clock, int maxCached) {
        this.ca = ca;
        this.minting = minting;
        this.clock = clock;
        this.maxCached = maxCached;
    }

    /** Hosts whose certificates are kept right now. */
    int cached() {
        synchronized (cache) {
            return cache.size();
        }
    }

    public CertificateAuthority authority() {
        return ca;
    }

    /** The server context for {@code host} (canonical, lowercase); completes on {@code loop}. */
    public Future<SslContext> contextFor(String host, EventExecutor loop) {
        CompletableFuture<Leaf> leaf;
        synchronized (cache) {
            leaf = cache.get(host);
            boolean stale = leaf != null && leaf.isDone() && (leaf.isCompletedExceptionally() || !clock.instant().isBefore(leaf.join().renewAt()));
            if (leaf == null || stale) {
                leaf = CompletableFuture.supplyAsync(() -> mint(host), minting);
                cache.put(host, leaf);
                if (cache.size() > maxCached) {
                    var eldest = cache.keySet().iterator();
                    eldest.next();
                    eldest.remove();
                }
            }
        }
        if (leaf.isDone() && !leaf.isCompletedExceptionally()) {
            return loop.newSucceededFuture(leaf.join().context());
        }
        Promise<SslContext> p = loop.newPromise();
        leaf.whenComplete((l, e) -> loop.execute(() -> {
            if (e != null) {
                p.tryFailure(e);
            } else {
                p.trySuccess(l.context());
            }
        }));
        return p;
    }

    private Leaf mint(String host) {
        try {
            Instant now = clock.instant();
            KeyPair pair = CertificateAuthority.ecKeyPair();
            X509Certificate cert = certificate(ca, host, pair, now);
            SslContext context = SslContextBuilder.forServer(pair.getPrivate(), cert, ca.issuer())
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.FATAL_ALERT,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_1_1))
                    .build();
            Instant notAfter = cert.getNotAfter().toInstant();
            return new Leaf(context, now.plus(Duration.between(now, notAfter).dividedBy(2)));
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot mint a certificate for " + host + ": " + e, e);
        }
    }

    /** A leaf for {@code host} with {@code pair}'s public key, signed by {@code ca}: serverAuth, the host as its only name. */
    static X509Certificate certificate(CertificateAuthority ca, String host, KeyPair pair, Instant now)
            throws GeneralSecurityException, OperatorCreationException, java.io.IOException {
        X509Certificate issuer = ca.issuer();
        Instant notAfter = now.plus(VALIDITY);
        if (notAfter.isAfter(issuer.getNotAfter().toInstant())) {
            notAfter = issuer.getNotAfter().toInstant();
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, host).build();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, CertificateAuthority.serial(),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(notAfter), subject, pair.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
        return ca.sign(b);
    }
}
