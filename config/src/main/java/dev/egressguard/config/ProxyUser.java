package dev.egressguard.config;

import java.util.Objects;

/**
 * A user who may use the proxy with {@code Proxy-Authorization: Basic}. The policy file holds the
 * salted hash, or names a file or environment variable with the secret (hashed when loaded, so no
 * plain secret is kept).
 *
 * @param source where the secret came from: {@code passwordHash}, {@code passwordFile FILE} or {@code passwordEnv NAME}
 */
public record ProxyUser(String name, PasswordHash password, String source) {
    public ProxyUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(source, "source");
    }

    @Override
    public String toString() {
        return name + " (" + source + ")";
    }
}
