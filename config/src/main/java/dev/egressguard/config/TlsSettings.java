package dev.egressguard.config;

import dev.egressguard.core.tls.TunnelPolicy;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code tls} block (and the intercept and passthrough entries under {@code destinations}):
 * the CA that signs the certificates of intercepted hosts, where its certificate is written, the
 * extra roots for verifying upstreams, and which tunnels are intercepted ({@link TunnelPolicy}).
 *
 * @param caCertOut     where the proxy writes the CA certificate (PEM) when set
 * @param upstreamTrust extra roots for verifying upstreams, beside the JDK's, per file
 */
public record TlsSettings(CaSource ca, Optional<Path> caCertOut, List<TrustFile> upstreamTrust, TunnelPolicy tunnels) {
    /** One {@code upstreamTrust} file and the certificates it holds. */
    public record TrustFile(Path path, List<X509Certificate> certificates) {
        public TrustFile {
            Objects.requireNonNull(path, "path");
            certificates = List.copyOf(certificates);
        }
    }

    private static final TlsSettings NONE = new TlsSettings(CaSource.ephemeral(), Optional.empty(), List.of(), TunnelPolicy.none());

    public TlsSettings {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(caCertOut, "caCertOut");
        upstreamTrust = List.copyOf(upstreamTrust);
        Objects.requireNonNull(tunnels, "tunnels");
    }

    /** No {@code tls} block: nothing intercepted, no SNI check, no CA. */
    public static TlsSettings none() {
        return NONE;
    }

    /** True when the policy configures TLS at all. */
    public boolean isConfigured() {
        return tunnels.isConfigured();
    }

    /** True when some host is intercepted (then the proxy needs its CA). */
    public boolean intercepts() {
        return !tunnels.interceptEntries().isEmpty();
    }

    /** Every extra upstream root, in file order. */
    public List<X509Certificate> upstreamRoots() {
        return upstreamTrust.stream().flatMap(f -> f.certificates().stream()).toList();
    }
}
