package dev.egressguard.client.fetch;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A self-signed certificate for the names the tests fetch over https, made once per test JVM
 * with the JDK's {@code keytool}, and the client side that trusts exactly it. Hostname
 * verification stays on: a name missing from {@link #NAMES} fails the handshake.
 */
final class TestTls {
    static final List<String> NAMES = List.of("public.example", "api.example.com", "cdn.example.com",
            "img.assets.example.com", "api.telegram.org", "rebind.example", "metadata.google.internal", "example.com",
            "a.example", "b.example", "rebinding.example", "pinned-only.example");
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static TestTls instance;

    final SSLContext serverContext;
    final SSLSocketFactory clientSockets;
    final X509TrustManager clientTrust;

    private TestTls(SSLContext serverContext, SSLSocketFactory clientSockets, X509TrustManager clientTrust) {
        this.serverContext = serverContext;
        this.clientSockets = clientSockets;
        this.clientTrust = clientTrust;
    }

    static synchronized TestTls get() throws Exception {
        if (instance == null) {
            instance = generate();
        }
        return instance;
    }

    private static TestTls generate() throws Exception {
        Path dir = Files.createTempDirectory("egressguard-fetch-tls");
        Path store = dir.resolve("upstream.p12");
        List<String> san = new ArrayList<>();
        NAMES.forEach(n -> san.add("dns:" + n));
        san.add("ip:127.0.0.1");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=egressguard-test-upstream", "-ext", "SAN=" + String.join(",", san), "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(PASSWORD),
                "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = keytool.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            keytool.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);

        Certificate cert = keys.getCertificate("upstream");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("upstream", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        X509TrustManager trust = (X509TrustManager) tmf.getTrustManagers()[0];
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new TrustManager[] {trust}, null);
        Files.deleteIfExists(store);
        Files.deleteIfExists(dir);
        return new TestTls(server, client.getSocketFactory(), trust);
    }
}
