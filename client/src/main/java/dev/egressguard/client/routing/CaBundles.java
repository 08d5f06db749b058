package dev.egressguard.client.routing;

import dev.egressguard.core.io.BoundedReads;
import dev.egressguard.core.io.Pems;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The trust files a child of {@code egressguard run --ca FILE} gets, so that its TLS clients accept
 * the proxy's interception CA (docs/tls.md): the CA alone (for {@code NODE_EXTRA_CA_CERTS}, which
 * adds to Node's roots) and a bundle of the system's roots plus the CA (for the variables that
 * replace the roots: {@code SSL_CERT_FILE}, {@code REQUESTS_CA_BUNDLE}, {@code CURL_CA_BUNDLE},
 * {@code GIT_SSL_CAINFO}, {@code PIP_CERT}, {@code npm_config_cafile}). The system roots are the
 * first of: the bundle {@code SSL_CERT_FILE} already names, the distribution's bundle (Debian,
 * Fedora, openSUSE, Alpine), the JDK's own roots.
 */
public final class CaBundles {
    /** Largest CA or bundle file read. */
    static final int MAX_FILE_BYTES = 4 << 20;
    /** The distributions' bundles, in the order they are tried. */
    static final List<Path> SYSTEM_BUNDLES = List.of(Path.of("/etc/ssl/certs/ca-certificates.crt"), Path.of("/etc/pki/tls/certs/ca-bundle.crt"),
            Path.of("/etc/ssl/ca-bundle.pem"), Path.of("/etc/ssl/cert.pem"));

    /** The two files written for a child. */
    public record Written(Path ca, Path bundle) {}

    private CaBundles() {}

    /**
     * The CA certificates in {@code file} (PEM), each a CA.
     *
     * @throws ProxyRoutingException naming the file and what was expected
     */
    public static List<X509Certificate> read(Path file) {
        byte[] pem;
        try {
            pem = BoundedReads.readFile(file, MAX_FILE_BYTES);
        } catch (IOException e) {
            throw new ProxyRoutingException("proxy: the CA file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        List<X509Certificate> out = certificates(pem);
        if (out.isEmpty() || out.stream().anyMatch(c -> c.getBasicConstraints() < 0)) {
            throw new ProxyRoutingException("proxy: the CA file " + file + " holds no CA certificate (expected: the proxy's CA in PEM,"
                    + " from egressguard ca show or the admin listener's /ca.pem)");
        }
        return out;
    }

    /** Writes {@code ca.pem} and {@code bundle.pem} into {@code dir} (made readable by its owner only). */
    public static Written write(List<X509Certificate> ca, Path dir, Map<String, String> env) {
        try {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException notPosix) {
                // keep the platform default
            }
            String caPem = Pems.certificates(ca);
            Path caFile = Files.writeString(dir.resolve("ca.pem"), caPem, StandardCharsets.US_ASCII);
            String roots = systemRoots(env);
            Path bundle = Files.writeString(dir.resolve("bundle.pem"), roots + (roots.endsWith("\n") ? "" : "\n") + caPem, StandardCharsets.US_ASCII);
            return new Written(caFile, bundle);
        } catch (IOException e) {
            throw new ProxyRoutingException("proxy: cannot write the CA bundle in " + dir + " (" + e.getMessage() + ")");
        }
    }

    /** The system's roots as PEM text: an existing {@code SSL_CERT_FILE}, the distribution's bundle, else the JDK's roots. */
    static String systemRoots(Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        String current = env.get("SSL_CERT_FILE");
        if (current != null && !current.isBlank()) {
            candidates.add(Path.of(current));
        }
        candidates.addAll(SYSTEM_BUNDLES);
        for (Path p : candidates) {
            try {
                byte[] bytes = BoundedReads.readFile(p, MAX_FILE_BYTES);
                if (!certificates(bytes).isEmpty()) {
                    return new String(bytes, StandardCharsets.US_ASCII);
                }
            } catch (IOException | RuntimeException missing) {
                // the next one
            }
        }
        return Pems.certificates(jdkRoots());
    }

    /** The JDK's default trusted roots (its cacerts, or {@code javax.net.ssl.trustStore} when set). */
    static List<X509Certificate> jdkRoots() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            List<X509Certificate> out = new ArrayList<>();
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager) {
                    out.addAll(List.of(((X509TrustManager) tm).getAcceptedIssuers()));
                }
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the JDK's trusted roots", e);
        }
    }

    static List<X509Certificate> certificates(byte[] pem) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException | RuntimeException e) {
            return List.of();
        }
        return out;
    }

}
