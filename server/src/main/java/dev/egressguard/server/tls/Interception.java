package dev.egressguard.server.tls;

import dev.egressguard.config.CaSource;
import dev.egressguard.config.TlsSettings;
import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.core.tls.TunnelPolicy;
import io.netty.channel.ChannelHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS interception as one policy generation runs it: which tunnels are intercepted, the CA and its
 * minted certificates, and the trust for upstreams. A reload that keeps the CA keeps the CA and the
 * certificates already minted (clients go on trusting the same CA); an ephemeral CA is made once
 * and a reload that intercepts a name outside its NameConstraints is refused (restart to make a new
 * CA). The CA certificate is written to {@code tls.caCertOut} whenever the CA or that path is new.
 */
public final class Interception {
    private static final Logger log = LoggerFactory.getLogger(Interception.class);
    private static final Interception NONE = new Interception(TlsSettings.none(), null, null);
    /** Minting runs here, never on an event loop. */
    private static final ExecutorService MINTING = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "egressguard-tls-mint");
        t.setDaemon(true);
        return t;
    });

    private final TlsSettings settings;
    private final LeafCertificates leaves;
    private final UpstreamTls upstream;

    private Interception(TlsSettings settings, LeafCertificates leaves, UpstreamTls upstream) {
        this.settings = settings;
        this.leaves = leaves;
        this.upstream = upstream;
    }

    /** No TLS configuration: every tunnel plain. */
    public static Interception none() {
        return NONE;
    }

    /**
     * Interception for {@code settings}, after {@code previous} (null at start).
     *
     * @throws TlsSetupException when the CA cannot be set up, the ephemeral CA cannot sign for a new
     *                           host, or {@code tls.caCertOut} cannot be written
     */
    public static Interception start(TlsSettings settings, Interception previous) {
        if (!settings.isConfigured()) {
            return NONE;
        }
        List<String> hosts = settings.tunnels().interceptEntries().stream().map(e -> e.host().host().orElseThrow().toString()).toList();
        LeafCertificates kept = previous == null ? null : previous.leaves;
        LeafCertificates leaves = null;
        if (kept != null && previous.settings.ca().sameAs(settings.ca())) {
            if (!kept.authority().covers(hosts)) {
                throw new TlsSetupException("tls.intercept names a host outside the ephemeral CA's NameConstraints "
                        + kept.authority().permittedNames() + "; restart the proxy to make a CA for the new hosts (clients must then trust the new CA)");
            }
            leaves = kept;
        } else if (!hosts.isEmpty() || !settings.ca().isEphemeral()) {
            leaves = new LeafCertificates(authority(settings.ca(), hosts), MINTING, Clock.systemUTC());
        }
        UpstreamTls upstream = previous != null && previous.upstream != null && previous.settings.upstreamRoots().equals(settings.upstreamRoots())
                ? previous.upstream : UpstreamTls.trusting(settings.upstreamRoots());
        if (leaves != null && settings.caCertOut().isPresent()
                && (leaves != kept || !settings.caCertOut().equals(previous.settings.caCertOut()))) {
            write(settings.caCertOut().get(), leaves.authority().pem());
        }
        return new Interception(settings, leaves, upstream);
    }

    /**
     * The operator's CA as the proxy would take it, for {@code policy lint} and {@code ca show}:
     * empty for an ephemeral CA (it exists only in a running proxy).
     *
     * @throws TlsSetupException when the key cannot be read or is not the certificate's
     */
    public static Optional<CertificateAuthority> operatorCa(TlsSettings settings) {
        return settings.ca().isEphemeral() ? Optional.empty() : Optional.of(authority(settings.ca(), List.of()));
    }

    private static CertificateAuthority authority(CaSource source, List<String> hosts) {
        if (source.isEphemeral()) {
            CertificateAuthority ca = CertificateAuthority.ephemeral(hosts, Clock.systemUTC().instant());
            log.info("TLS interception: ephemeral CA made for {}", ca.permittedNames());
            return ca;
        }
        try {
            return CertificateAuthority.fromFiles(source.certificate().orElseThrow(), source.keyPem().orElseThrow());
        } catch (IllegalArgumentException e) {
            throw new TlsSetupException(e.getMessage(), e);
        }
    }

    /** Writes the CA certificate (public) to {@code file}, atomically. */
    private static void write(Path file, String pem) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, ".ca-", ".pem");
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            throw new TlsSetupException("tls.caCertOut: cannot write " + file + " (" + e + ")", e);
        }
    }

    public TunnelPolicy tunnels() {
        return settings.tunnels();
    }

    /** The CA certificate in PEM, when there is a CA. */
    public Optional<String> caPem() {
        return Optional.ofNullable(leaves).map(l -> l.authority().pem());
    }

    /** The first handler of a tunnel that is not intercepted: the SNI check. */
    public ChannelHandler sniCheck(String host, TunnelServices services) {
        return new SniCheckHandler(host, services);
    }

    /** The first handler of an intercepted tunnel: the ClientHello check, then TLS and the requests inside. */
    public ChannelHandler intercept(InterceptEntry entry, TunnelServices services) {
        if (leaves == null) {
            throw new IllegalStateException("no CA to intercept " + entry.host());
        }
        return new InterceptSniHandler(services.host(), leaves, services,
                () -> new InterceptedExchangeHandler(services, entry, upstream, settings.tunnels().strippedHeaders()));
    }
}
