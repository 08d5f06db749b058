package dev.egressguard.client.routing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Makes a JVM trust the proxy's interception CA as well as what it trusted already (docs/tls.md):
 * a PKCS#12 trust store of the JDK's roots (or the {@code javax.net.ssl.trustStore} the program set)
 * plus the CA, written to a private temporary file deleted at exit, and named by
 * {@code javax.net.ssl.trustStore} before any TLS is set up — so that the JDK's {@code HttpClient},
 * {@code HttpsURLConnection}, OkHttp and Apache HttpClient's system setup all accept it. The routing
 * javaagent does this before {@code main}.
 */
public final class JvmTrust {
    /** The hand-down from {@code egressguard run --ca}: the CA file for child JVMs. */
    public static final String ENV_CA_FILE = "EGRESSGUARD_CA_FILE";
    private static final String PASSWORD = "egressguard";

    private JvmTrust() {}

    /**
     * Installs the trust store for the CA in {@code caFile}; returns the store written.
     *
     * @throws ProxyRoutingException when the CA cannot be read or the store cannot be written
     */
    public static Path install(Path caFile) {
        List<X509Certificate> ca = CaBundles.read(caFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (X509Certificate root : CaBundles.jdkRoots()) {
                store.setCertificateEntry("root-" + n++, root);
            }
            for (X509Certificate c : ca) {
                store.setCertificateEntry("egressguard-ca-" + n++, c);
            }
            Path file = Files.createTempFile("egressguard-trust-", ".p12");
            file.toFile().deleteOnExit();
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // keep the platform default
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, PASSWORD.toCharArray());
            }
            System.setProperty("javax.net.ssl.trustStore", file.toString());
            System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
            System.setProperty("javax.net.ssl.trustStorePassword", PASSWORD);
            return file;
        } catch (GeneralSecurityException | IOException e) {
            throw new ProxyRoutingException("proxy: cannot make a trust store with the CA " + caFile + " (" + e.getMessage() + ")");
        }
    }
}
