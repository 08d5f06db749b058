package dev.egressguard.core.io;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** Certificates as PEM text: {@code -----BEGIN CERTIFICATE-----}, base64 in lines of 64, one after another. */
public final class Pems {
    private Pems() {}

    public static String certificates(List<X509Certificate> certificates) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certificates) {
            try {
                sb.append("-----BEGIN CERTIFICATE-----\n").append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("a certificate that cannot be encoded: " + c.getSubjectX500Principal(), e);
            }
        }
        return sb.toString();
    }
}
