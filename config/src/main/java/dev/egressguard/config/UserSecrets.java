package dev.egressguard.config;

import dev.egressguard.core.io.BoundedReads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one step of loading that reads outside the document: each user's secret, from the hash as
 * written, a file ({@code passwordFile}) or an environment variable ({@code passwordEnv}). A plain
 * secret is {@link PasswordHash#deferred}: hashed once the proxy listens (not before, which would
 * cost start-up a PBKDF2 per secret), then forgotten. A secret that cannot be read is a problem at its key.
 */
final class UserSecrets {
    private UserSecrets() {}

    static List<ProxyUser> resolve(List<AccessReader.UserEntry> entries, NodeReader r) {
        List<ProxyUser> out = new ArrayList<>();
        for (AccessReader.UserEntry e : entries) {
            secret(e, r).ifPresent(h -> out.add(new ProxyUser(e.name(), h, e.kind() + (e.kind().equals("passwordHash") ? "" : " " + e.text()))));
        }
        return out;
    }

    private static Optional<PasswordHash> secret(AccessReader.UserEntry e, NodeReader r) {
        String text = e.text();
        switch (e.kind()) {
            case "passwordHash": {
                Optional<PasswordHash> h = PasswordHash.tryParse(text);
                if (h.isEmpty()) {
                    r.problem(e.at(), e.path(), "(redacted)", PasswordHash.expectedForm());
                }
                return h;
            }
            case "passwordFile": {
                try {
                    String secret = PasswordHash.secretFromFile(BoundedReads.readFile(Path.of(text), PasswordHash.MAX_FILE_BYTES));
                    if (secret.isEmpty()) {
                        r.problem(e.at(), e.path(), text, "a file holding a non-empty password");
                        return Optional.empty();
                    }
                    return Optional.of(PasswordHash.tryParse(secret).orElseGet(() -> PasswordHash.deferred(secret.toCharArray())));
                } catch (BoundedReads.TooLargeException ex) {
                    r.problem(e.at(), e.path(), text, "a file of at most " + PasswordHash.MAX_FILE_BYTES + " bytes holding the password");
                    return Optional.empty();
                } catch (IOException | RuntimeException ex) {
                    r.problem(e.at(), e.path(), text, "a readable file holding the password (" + ex.getClass().getSimpleName() + ")");
                    return Optional.empty();
                }
            }
            default: {
                String secret = System.getenv(text);
                if (secret == null || secret.isEmpty()) {
                    r.problem(e.at(), e.path(), text, "an environment variable that is set and holds the password");
                    return Optional.empty();
                }
                return Optional.of(PasswordHash.tryParse(secret).orElseGet(() -> PasswordHash.deferred(secret.toCharArray())));
            }
        }
    }
}
