package dev.egressguard.core.tls;

import dev.egressguard.core.policy.DestinationPattern;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A host whose TLS the proxy terminates: the host pattern ({@code api.github.com},
 * {@code *.example.com}, optionally with {@code :port}), its rules (first match; none: denied) and
 * the credential added to its requests, if any.
 *
 * @param id {@code tls.intercept[0]} or {@code destinations.coder.intercept[0]}
 */
public record InterceptEntry(String id, DestinationPattern host, List<RequestRule> rules, Optional<Credential> credential) {
    public InterceptEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        if (host.host().isEmpty()) {
            throw new IllegalArgumentException("host: \"" + host + "\" (expected: a hostname or *.suffix, optional :port)");
        }
        rules = List.copyOf(rules);
        Objects.requireNonNull(credential, "credential");
    }

    /** The rule id of a request no rule names. */
    public String noMatchRule() {
        return id + ".rules:none";
    }
}
