package dev.egressguard.config;

import java.util.Objects;

/**
 * A user who may use the proxy with {@code Proxy-Authorization: Basic}. The policy file holds the
 * salted hash, or names a file or environment variable with the secret (hashed in the background once
 * the proxy listens, then forgotten: see {@link PasswordHash#deferred}).
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
