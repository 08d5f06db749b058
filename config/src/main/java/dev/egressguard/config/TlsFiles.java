package dev.egressguard.config;

import dev.egressguard.core.io.BoundedReads;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The files the {@code tls} block names, read when the policy loads: the CA's certificate (which
 * must be a CA) and key (which must be a regular file that only its owner can read — not a
 * symbolic link, not readable by group or others), and the {@code upstreamTrust} roots. Each
 * problem is reported at its key; nothing is read past {@link #MAX_FILE_BYTES}.
 */
final class TlsFiles {
    /** Largest certificate, key or trust file read. */
    static final int MAX_FILE_BYTES = 256 * 1024;

    private final NodeReader r;

    TlsFiles(NodeReader reader) {
        this.r = reader;
    }

    /** {@code {cert: FILE, key: FILE}}, both read and checked; empty (with problems) otherwise. */
    Optional<CaSource> ca(Node certNode, String certText, Node keyNode, String keyText) {
        Optional<Path> certPath = r.path(certNode, "tls.ca.cert", certText, "a PEM certificate file");
        Optional<Path> keyPath = r.path(keyNode, "tls.ca.key", keyText, "a PEM private key file");
        if (certPath.isEmpty() || keyPath.isEmpty()) {
            return Optional.empty();
        }
        Path certFile = certPath.get();
        Path keyFile = keyPath.get();
        Optional<byte[]> certPem = read(certNode, "tls.ca.cert", certFile);
        Optional<X509Certificate> cert = certPem.flatMap(bytes -> certificates(certNode, "tls.ca.cert", certText, bytes))
                .flatMap(all -> {
                    if (all.size() != 1 || all.get(0).getBasicConstraints() < 0) {
                        r.problem(certNode, "tls.ca.cert", certText, "one PEM certificate of a CA (basicConstraints CA:true)");
                        return Optional.empty();
                    }
                    return Optional.of(all.get(0));
                });
        Optional<byte[]> keyPem = privateKeyFile(keyNode, keyFile, keyText) ? read(keyNode, "tls.ca.key", keyFile) : Optional.empty();
        if (cert.isEmpty() || keyPem.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(CaSource.files(certFile, keyFile, cert.get(), certPem.get(), keyPem.get()));
    }

    /** The key must be a regular file, not a symbolic link, that group and others cannot read or write. */
    private boolean privateKeyFile(Node at, Path file, String text) {
        if (Files.isSymbolicLink(file)) {
            r.problem(at, "tls.ca.key", text, "a regular key file, not a symbolic link (mount the file itself, e.g. with subPath)");
            return false;
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            r.problem(at, "tls.ca.key", text, "a readable key file (PEM)");
            return false;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                r.problem(at, "tls.ca.key", text, "a key file only its owner can read (chmod 600 " + text + ")");
                return false;
            }
        } catch (UnsupportedOperationException | IOException e) {
            r.problem(at, "tls.ca.key", text, "a key file on a file system with POSIX permissions, only its owner can read");
            return false;
        }
        return true;
    }

    /** {@code upstreamTrust[i]}: a file of one or more PEM certificates. */
    Optional<TlsSettings.TrustFile> trustFile(Node at, String path, String text) {
        Optional<Path> named = r.path(at, path, text, "a PEM file of certificates");
        if (named.isEmpty()) {
            return Optional.empty();
        }
        Path file = named.get();
        return read(at, path, file).flatMap(bytes -> certificates(at, path, text, bytes)).map(all -> new TlsSettings.TrustFile(file, all));
    }

    private Optional<byte[]> read(Node at, String path, Path file) {
        try {
            return Optional.of(BoundedReads.readFile(file, MAX_FILE_BYTES));
        } catch (BoundedReads.TooLargeException e) {
            r.problem(at, path, file.toString(), "a PEM file of at most " + MAX_FILE_BYTES + " bytes");
        } catch (IOException | RuntimeException e) {
            r.problem(at, path, file.toString(), "a readable PEM file (" + e.getClass().getSimpleName() + ")");
        }
        return Optional.empty();
    }

    private Optional<List<X509Certificate>> certificates(Node at, String path, String text, byte[] pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))
                    .forEach(c -> out.add((X509Certificate) c));
            if (!out.isEmpty()) {
                return Optional.of(out);
            }
        } catch (CertificateException | RuntimeException e) {
            // reported below
        }
        r.problem(at, path, text, "a file of PEM certificates");
        return Optional.empty();
    }
}
