package dev.egressguard.server.tls;

import dev.egressguard.core.io.Pems;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The CA that signs the certificates of intercepted hosts. {@link #ephemeral} makes one in memory
 * (ECDSA P-256; no key ever leaves the process): a root that clients trust, and an intermediate
 * that signs the leaves, both restricted by NameConstraints to the intercepted names and to no IP
 * address at all. The root's key is dropped as soon as it has signed the intermediate, so the only
 * key there is can forge nothing else — and every client enforces the intermediate's constraints
 * (the JDK ignores a trust anchor's own). {@link #fromFiles} takes the operator's CA, which signs
 * the leaves itself. BouncyCastle builds the ASN.1; keys and signatures come from the JDK's own
 * providers.
 */
public final class CertificateAuthority {
    /** How long an ephemeral CA is valid: the proxy's life, within reason. */
    static final Duration EPHEMERAL_VALIDITY = Duration.ofDays(365);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final X509Certificate issuer;
    private final PrivateKey key;
    private final Set<String> permittedNames;

    /** {@code certificate}: what clients trust; {@code issuer} and its {@code key}: what signs the leaves. */
    private CertificateAuthority(X509Certificate certificate, X509Certificate issuer, PrivateKey key, Set<String> permittedNames) {
        this.certificate = certificate;
        this.issuer = issuer;
        this.key = key;
        this.permittedNames = permittedNames;
    }

    /**
     * A new CA for the given host patterns ({@code api.github.com}, {@code *.example.com}): its
     * NameConstraints permit exactly those DNS names (a wildcard's suffix and the names under it)
     * and exclude every IPv4 and IPv6 address.
     */
    public static CertificateAuthority ephemeral(List<String> hostPatterns, Instant now) {
        Set<String> permitted = new TreeSet<>();
        hostPatterns.forEach(h -> permitted.add(h.startsWith("*.") ? h.substring(2) : h));
        try {
            String id = Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
            KeyPair rootPair = ecKeyPair();
            X500Name rootName = new X500Name("CN=egressguard interception CA " + id + ",O=egressguard");
            X509Certificate root = sign(caBuilder(rootName, rootName, rootPair.getPublic(), 1, permitted, now), rootPair.getPrivate());
            KeyPair pair = ecKeyPair();
            X500Name name = new X500Name("CN=egressguard interception signer " + id + ",O=egressguard");
            X509v3CertificateBuilder b = caBuilder(rootName, name, pair.getPublic(), 0, permitted, now);
            b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(root));
            X509Certificate signer = sign(b, rootPair.getPrivate()); // the root's key goes out of scope here, never to be used again
            return new CertificateAuthority(root, signer, pair.getPrivate(), permitted);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the interception CA: " + e, e);
        }
    }

    private static X509v3CertificateBuilder caBuilder(X500Name issuer, X500Name subject, java.security.PublicKey key, int pathLength,
                                                      Set<String> permitted, Instant now) throws GeneralSecurityException, IOException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(EPHEMERAL_VALIDITY)), subject, key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key));
        if (!permitted.isEmpty()) {
            b.addExtension(Extension.nameConstraints, true, nameConstraints(permitted));
        }
        return b;
    }

    /**
     * The operator's CA: {@code certificate} (already checked to be a CA) and its key in PEM
     * (PKCS#8 {@code PRIVATE KEY}, or {@code EC}/{@code RSA PRIVATE KEY}; not encrypted).
     *
     * @throws IllegalArgumentException when the key cannot be read or is not the certificate's
     */
    public static CertificateAuthority fromFiles(X509Certificate certificate, byte[] keyPem) {
        PrivateKey key;
        try (PEMParser pem = new PEMParser(new InputStreamReader(new ByteArrayInputStream(keyPem), StandardCharsets.US_ASCII))) {
            Object o = pem.readObject();
            JcaPEMKeyConverter convert = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair) {
                key = convert.getKeyPair((PEMKeyPair) o).getPrivate();
            } else if (o instanceof PrivateKeyInfo) {
                key = convert.getPrivateKey((PrivateKeyInfo) o);
            } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new IllegalArgumentException("tls.ca.key: an encrypted key (expected: an unencrypted PEM private key, readable by its owner only)");
            } else {
                throw new IllegalArgumentException("tls.ca.key: no private key in the file (expected: a PEM private key)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("tls.ca.key: cannot read the key (" + e.getMessage() + ")", e);
        }
        if (!matches(key, certificate)) {
            throw new IllegalArgumentException("tls.ca.key: the key is not the key of tls.ca.cert (" + certificate.getSubjectX500Principal() + ")");
        }
        return new CertificateAuthority(certificate, certificate, key, Set.of());
    }

    private static boolean matches(PrivateKey key, X509Certificate cert) {
        try {
            byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            Signature s = Signature.getInstance(signatureAlgorithm(key));
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(signatureAlgorithm(key));
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static NameConstraints nameConstraints(Set<String> names) {
        List<GeneralSubtree> permitted = new ArrayList<>();
        names.forEach(n -> permitted.add(new GeneralSubtree(new GeneralName(GeneralName.dNSName, n))));
        GeneralSubtree[] excluded = {
            new GeneralSubtree(new GeneralName(GeneralName.iPAddress, new DEROctetString(new byte[8]))),   // 0.0.0.0/0
            new GeneralSubtree(new GeneralName(GeneralName.iPAddress, new DEROctetString(new byte[32]))),  // ::/0
        };
        return new NameConstraints(permitted.toArray(GeneralSubtree[]::new), excluded);
    }

    static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "EC":
                return "SHA256withECDSA";
            case "RSA":
                return "SHA256withRSA";
            default:
                throw new IllegalArgumentException("tls.ca.key: a " + key.getAlgorithm() + " key (expected: an EC or RSA key)");
        }
    }

    /** Signs {@code b} with this CA's key on the JDK's providers. */
    X509Certificate sign(X509v3CertificateBuilder b) throws GeneralSecurityException, OperatorCreationException {
        return sign(b, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(signatureAlgorithm(key)).build(key)));
    }

    /** The certificate clients trust: served at {@code /ca.pem}, written to {@code tls.caCertOut}. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The certificate that signs the leaves (the constrained intermediate of an ephemeral CA; the operator's CA itself). */
    X509Certificate issuer() {
        return issuer;
    }

    /** The names the CA's NameConstraints permit (empty: the operator's CA, constrained or not as it was issued). */
    public Set<String> permittedNames() {
        return permittedNames;
    }

    /** True when this CA may sign for every host the patterns name (always, for the operator's own CA). */
    public boolean covers(List<String> hostPatterns) {
        if (permittedNames.isEmpty()) {
            return true;
        }
        return hostPatterns.stream().allMatch(h -> {
            String name = h.startsWith("*.") ? h.substring(2) : h;
            return permittedNames.stream().anyMatch(p -> name.equals(p) || name.endsWith("." + p));
        });
    }

    /** The certificate in PEM, as served at {@code /ca.pem} and written to {@code tls.caCertOut}. */
    public String pem() {
        return Pems.certificates(List.of(certificate));
    }
}
