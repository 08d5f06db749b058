package dev.egressguard.config;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the interception CA comes from: {@code ephemeral} (made in memory when the proxy starts;
 * its key never touches disk), or a certificate and key file. The key's bytes are held only to be
 * handed to the proxy; {@link #toString()} never shows them.
 */
public final class CaSource {
    private static final CaSource EPHEMERAL = new CaSource(null, null, null, null, null);

    private final Path certFile;
    private final Path keyFile;
    private final X509Certificate certificate;
    private final byte[] certPem;
    private final byte[] keyPem;

    private CaSource(Path certFile, Path keyFile, X509Certificate certificate, byte[] certPem, byte[] keyPem) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.certificate = certificate;
        this.certPem = certPem;
        this.keyPem = keyPem;
    }

    public static CaSource ephemeral() {
        return EPHEMERAL;
    }

    /** A CA from files, as read (the certificate parsed and checked to be a CA; the key checked for its permissions only). */
    public static CaSource files(Path certFile, Path keyFile, X509Certificate certificate, byte[] certPem, byte[] keyPem) {
        return new CaSource(Objects.requireNonNull(certFile, "certFile"), Objects.requireNonNull(keyFile, "keyFile"),
                Objects.requireNonNull(certificate, "certificate"), certPem.clone(), keyPem.clone());
    }

    public boolean isEphemeral() {
        return certFile == null;
    }

    public Optional<Path> certFile() {
        return Optional.ofNullable(certFile);
    }

    public Optional<Path> keyFile() {
        return Optional.ofNullable(keyFile);
    }

    public Optional<X509Certificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** The key file's bytes (PEM), for the proxy to parse; empty for an ephemeral CA. */
    public Optional<byte[]> keyPem() {
        return Optional.ofNullable(keyPem).map(byte[]::clone);
    }

    /** The same CA: both ephemeral, or the same certificate and key bytes (a reload that keeps the CA keeps its leaves). */
    public boolean sameAs(CaSource other) {
        return other != null && isEphemeral() == other.isEphemeral() && Arrays.equals(certPem, other.certPem)
                && Arrays.equals(keyPem, other.keyPem);
    }

    @Override
    public String toString() {
        return isEphemeral() ? "ephemeral" : "{cert: " + certFile + ", key: " + keyFile + "}";
    }
}
