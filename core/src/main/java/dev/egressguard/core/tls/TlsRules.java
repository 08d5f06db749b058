package dev.egressguard.core.tls;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.DestinationPattern;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One set of {@code intercept} and {@code passthrough} entries: the policy's own ({@code tls}) or
 * those under one {@code destinations} entry. Passthrough patterns are exceptions and are read
 * first; then the intercept entries, first match.
 *
 * @param intercept   the hosts terminated and checked, in file order
 * @param passthrough the hosts relayed untouched (after the SNI check), in file order
 */
public record TlsRules(List<InterceptEntry> intercept, List<Passthrough> passthrough) {
    /** A passthrough pattern and its id ({@code tls.passthrough[0]:*.pinned.example}). */
    public record Passthrough(String id, DestinationPattern pattern) {
        public Passthrough {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(pattern, "pattern");
        }
    }

    public static final TlsRules NONE = new TlsRules(List.of(), List.of());

    public TlsRules {
        intercept = List.copyOf(intercept);
        passthrough = List.copyOf(passthrough);
    }

    /** What this set says about a destination (canonical host, its literal when it is one, port); empty when it names it nowhere. */
    public Optional<TunnelMode> modeFor(String host, IpAddress literal, int port) {
        for (Passthrough p : passthrough) {
            if (p.pattern().matches(host, literal, port)) {
                return Optional.of(new TunnelMode.Passthrough(p.id()));
            }
        }
        for (InterceptEntry e : intercept) {
            if (e.host().matches(host, literal, port)) {
                return Optional.of(new TunnelMode.Intercept(e));
            }
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return intercept.isEmpty() && passthrough.isEmpty();
    }
}
