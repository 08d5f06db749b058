package dev.egressguard.core.classify;

import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The class an address falls in: the {@link Reason} (which is {@link Reason#IP_PUBLIC} when no
 * range denies it), the range and rule that matched, and — when the address was judged by an IPv4
 * address it embeds — the embedding. Instances are built once per classifier and shared, so
 * classifying allocates nothing.
 */
public final class Classification {
    /** No range denies the address. */
    public static final Classification PUBLIC = new Classification(Reason.IP_PUBLIC, Reason.IP_PUBLIC, null, null, null);

    private final Reason reason;
    private final Reason rangeReason;
    private final IpRange range;
    private final String rule;
    private final EmbeddingKind via;
    private final Map<EmbeddingKind, Classification> viaTwins;

    private Classification(Reason reason, Reason rangeReason, IpRange range, String rule, EmbeddingKind via) {
        this.reason = reason;
        this.rangeReason = rangeReason;
        this.range = range;
        this.rule = rule;
        this.via = via;
        this.viaTwins = via == null && range != null ? new EnumMap<>(EmbeddingKind.class) : Map.of();
    }

    /** A denied range with its stable rule id ({@code default:127.0.0.0/8}, {@code deny.ranges[0]}). */
    static Classification denied(IpRange range, Reason reason, String rule) {
        Classification c = new Classification(reason, reason, range, rule, null);
        for (EmbeddingKind kind : EmbeddingKind.values()) {
            c.viaTwins.put(kind, new Classification(Reason.IP_EMBEDDED_IPV4, reason, range,
                    rule + " via " + kind.prefixText(), kind));
        }
        return c;
    }

    /** A range that is carved out of a wider denied range and is globally reachable. */
    static Classification carvedOut(IpRange range) {
        return new Classification(Reason.IP_PUBLIC, Reason.IP_PUBLIC, range, "default:" + range + " (globally reachable)", null);
    }

    /** This class, reached through an IPv4 address embedded in an IPv6 one of the given kind. */
    Classification via(EmbeddingKind kind) {
        Classification twin = viaTwins.get(kind);
        return twin == null ? this : twin;
    }

    public boolean isDenied() {
        return reason != Reason.IP_PUBLIC;
    }

    /** The reason to report: {@link Reason#IP_EMBEDDED_IPV4} when judged through an embedded IPv4. */
    public Reason reason() {
        return reason;
    }

    /** The class of the range itself (for an embedded IPv4, the class of that IPv4 address). */
    public Reason rangeReason() {
        return rangeReason;
    }

    /** The matched range, if any. */
    public Optional<IpRange> range() {
        return Optional.ofNullable(range);
    }

    /** The stable rule id, e.g. {@code default:169.254.0.0/16}. */
    public Optional<String> rule() {
        return Optional.ofNullable(rule);
    }

    /** The embedding through which the address was judged, if it was. */
    public Optional<EmbeddingKind> via() {
        return Optional.ofNullable(via);
    }

    @Override
    public String toString() {
        return reason.code() + (rule == null ? "" : " (" + rule + ")");
    }
}
