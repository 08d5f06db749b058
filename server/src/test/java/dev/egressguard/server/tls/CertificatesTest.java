package dev.egressguard.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The interception CA and its leaves: PKIX-valid for the intercepted names, refused by NameConstraints for any other. */
class CertificatesTest {
    static final ExecutorService MINT = Executors.newSingleThreadExecutor();
    static final EventLoop LOOP = new DefaultEventLoop();
    static final CertificateAuthority CA = CertificateAuthority.ephemeral(List.of("api.github.com", "*.example.com"), Instant.now());

    @AfterAll
    static void stop() {
        MINT.shutdownNow();
        LOOP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static X509Certificate leaf(CertificateAuthority ca, String host) throws Exception {
        return LeafCertificates.certificate(ca, host, CertificateAuthority.ecKeyPair(), Instant.now());
    }

    /**
     * PKIX validation of {@code leaf} as a server sends it (with the CA's signer) against the CA a
     * client trusts, no revocation (the CA publishes none): the JDK's validator, which enforces an
     * intermediate's NameConstraints (not a trust anchor's).
     */
    static void validate(X509Certificate leaf, CertificateAuthority ca) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        params.setRevocationEnabled(false);
        List<X509Certificate> path = ca.issuer().equals(ca.certificate()) ? List.of(leaf) : List.of(leaf, ca.issuer());
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    }

    @Test
    void theEphemeralCaIsAConstrainedP256RootAndSigner() throws Exception {
        X509Certificate c = CA.certificate();
        assertThat(c.getBasicConstraints()).isEqualTo(1);
        assertThat(CA.issuer().getBasicConstraints()).isZero();
        assertThat(CA.issuer().getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
        CA.issuer().verify(c.getPublicKey());
        assertThat(CA.issuer().getCriticalExtensionOIDs()).contains("2.5.29.30");
        assertThat(c.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(c.getCriticalExtensionOIDs()).contains("2.5.29.30"); // nameConstraints, critical
        assertThat(((ECPublicKey) c.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(CA.permittedNames()).containsExactly("api.github.com", "example.com");
        assertThat(CA.covers(List.of("api.github.com", "a.b.example.com"))).isTrue();
        assertThat(CA.covers(List.of("api.gitlab.com"))).isFalse();
        assertThat(CA.pem()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        byte[] der = Base64.getMimeDecoder().decode(CA.pem().replaceAll("-----[A-Z ]+-----", ""));
        assertThat(der).isEqualTo(c.getEncoded());
    }

    @Test
    void leavesValidateWithPkixForTheInterceptedNames() throws Exception {
        for (String host : List.of("api.github.com", "uploads.example.com", "a.b.example.com")) {
            X509Certificate leaf = leaf(CA, host);
            validate(leaf, CA);
            assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, host));
            assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
            assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
            assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
                    .isLessThanOrEqualTo(LeafCertificates.VALIDITY.plusMinutes(5));
            assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
        }
    }

    @Test
    void nameConstraintsRefuseAnUnlistedHostOrAnyAddress() throws Exception {
        List<String> accepted = new java.util.ArrayList<>();
        for (String host : List.of("api.gitlab.com", "github.com", "example.org", "evilexample.com")) {
            X509Certificate forged = leaf(CA, host); // what a leaked key could sign
            try {
                validate(forged, CA);
                accepted.add(host);
            } catch (CertPathValidatorException refused) {
                assertThat(refused).hasMessageContaining("name constraints");
            }
        }
        assertThat(accepted).as("forged leaves PKIX accepted").isEmpty();
        if (Files.isExecutable(Path.of("/usr/bin/openssl"))) { // and OpenSSL (curl, Python, Node) reads them from the CA itself
            Path dir = Files.createTempDirectory("eg-nc");
            Files.writeString(dir.resolve("ca.pem"), CA.pem());
            Files.writeString(dir.resolve("signer.pem"), pem(CA.issuer()));
            Files.writeString(dir.resolve("good.pem"), pem(leaf(CA, "api.github.com")));
            Files.writeString(dir.resolve("forged.pem"), pem(leaf(CA, "api.gitlab.com")));
            assertThat(openssl(dir, "good.pem")).contains("good.pem: OK");
            assertThat(openssl(dir, "forged.pem")).contains("permitted subtree violation").doesNotContain(": OK");
        }
    }

    @Test
    void theOperatorsCaSignsWithTheKeyFromItsFile() throws Exception {
        KeyPair pair = CertificateAuthority.ecKeyPair();
        CertificateAuthority own = CertificateAuthority.ephemeral(List.of(), Instant.now());
        assertThatThrownBy(() -> CertificateAuthority.fromFiles(own.certificate(), pkcs8(pair)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not the key of tls.ca.cert");
        assertThatThrownBy(() -> CertificateAuthority.fromFiles(own.certificate(), "no key here".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no private key");
        assertThat(own.permittedNames()).isEmpty();
        assertThat(own.certificate().getCriticalExtensionOIDs()).doesNotContain("2.5.29.30");
    }

    private static String openssl(Path dir, String leaf) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/openssl", "verify", "-CAfile", "ca.pem", "-untrusted", "signer.pem", leaf).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static String pem(X509Certificate c) {
        return dev.egressguard.core.io.Pems.certificates(List.of(c));
    }

    private static byte[] pkcs8(KeyPair pair) {
        return ("-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n").getBytes();
    }

    @Test
    void leavesAreMintedOffTheLoopCachedPerHostAndBounded() throws Exception {
        LeafCertificates leaves = new LeafCertificates(CA, MINT, Clock.systemUTC(), 3);
        SslContext first = leaves.contextFor("api.github.com", LOOP).get(10, TimeUnit.SECONDS);
        assertThat(leaves.contextFor("api.github.com", LOOP).get(10, TimeUnit.SECONDS)).isSameAs(first);
        for (String h : List.of("a.example.com", "b.example.com", "c.example.com")) {
            leaves.contextFor(h, LOOP).get(10, TimeUnit.SECONDS);
        }
        assertThat(leaves.cached()).isEqualTo(3);
        assertThat(leaves.contextFor("api.github.com", LOOP).get(10, TimeUnit.SECONDS)).as("evicted, minted again").isNotSameAs(first);
        int n = 50;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            leaf(CA, "m" + i + ".example.com");
        }
        long perMint = (System.nanoTime() - start) / n;
        System.out.printf("minting a leaf (P-256 key + signature) took %.2f ms on average over %d%n", perMint / 1e6, n);
        assertThat(perMint).isLessThan(Duration.ofSeconds(1).toNanos());
    }
}
