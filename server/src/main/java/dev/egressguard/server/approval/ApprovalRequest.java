package dev.egressguard.server.approval;

import java.util.Objects;

/**
 * What the approver is asked about: names, a port, an identity and the mode — never a path, a
 * header, a body or a credential. Answers are shared and cached per {@link #key()}: the same
 * identity, host and port (the mode does not change the answer) — and, for a rule of an
 * intercepted host that asks, the same rule and method.
 *
 * @param identity the identity name from the policy (or {@code default})
 * @param host     the normalised host: an ASCII name or IP literal text, as the host rules read it
 * @param port     the destination port, 1..65535
 * @param mode     how the client asked: {@code forward}, {@code connect}, {@code websocket}, {@code socks5}, {@code intercept}
 * @param rule     the intercept rule that asks ({@code tls.intercept[0].rules[2]}); null for a destination
 * @param method   the request's method, with {@code rule}; null for a destination
 */
public record ApprovalRequest(String identity, String host, int port, String mode, String rule, String method) {
    public ApprovalRequest {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(mode, "mode");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
    }

    /** A destination's approval. */
    public ApprovalRequest(String identity, String host, int port, String mode) {
        this(identity, host, port, mode, null, null);
    }

    /** What answers are shared and remembered by. */
    record Key(String identity, String host, int port, String rule, String method) {}

    Key key() {
        return new Key(identity, host, port, rule, method);
    }
}
