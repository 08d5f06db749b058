package dev.egressguard.server;

import dev.egressguard.core.policy.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per identity — names from the policy only (plus {@code default} and {@link #UNIDENTIFIED}), so the
 * set stays as small as the policy — how many requests were allowed, denied and would be denied,
 * how many approvals are in flight, and the destinations it was denied most. Updated from event
 * loops without locks; every map is bounded.
 */
public final class IdentityStats {
    /** The identity of a request refused before it could be identified (admission, a malformed head). */
    public static final String UNIDENTIFIED = "unidentified";
    static final int MAX_IDENTITIES = 1024;
    static final int MAX_DESTINATIONS = 256;

    /** One identity's figures, for the status page. */
    public record Row(String identity, long allowed, long denied, long wouldDeny, long pendingApprovals, List<Map.Entry<String, Long>> topDenied) {}

    private static final class Counts {
        final LongAdder allowed = new LongAdder();
        final LongAdder denied = new LongAdder();
        final LongAdder wouldDeny = new LongAdder();
        final AtomicLong pending = new AtomicLong();
        final Map<String, LongAdder> deniedDestinations = new ConcurrentHashMap<>();
    }

    private final Map<String, Counts> byIdentity = new ConcurrentHashMap<>();

    void decided(String identity, Verdict verdict, String destination) {
        Counts c = counts(identity);
        switch (verdict) {
            case ALLOW:
                c.allowed.increment();
                return;
            case WOULD_DENY:
                c.wouldDeny.increment();
                break;
            default:
                c.denied.increment();
                break;
        }
        if (destination != null && (c.deniedDestinations.size() < MAX_DESTINATIONS || c.deniedDestinations.containsKey(destination))) {
            c.deniedDestinations.computeIfAbsent(destination, k -> new LongAdder()).increment();
        }
    }

    void approvalStarted(String identity) {
        counts(identity).pending.incrementAndGet();
    }

    void approvalEnded(String identity) {
        counts(identity).pending.decrementAndGet();
    }

    private Counts counts(String identity) {
        String name = identity == null ? UNIDENTIFIED : identity;
        Counts c = byIdentity.get(name);
        if (c != null) {
            return c;
        }
        return byIdentity.size() < MAX_IDENTITIES ? byIdentity.computeIfAbsent(name, k -> new Counts())
                : byIdentity.computeIfAbsent(UNIDENTIFIED, k -> new Counts());
    }

    /** Every identity seen, by name, with its {@code top} most denied destinations. */
    public List<Row> rows(int top) {
        List<Row> rows = new ArrayList<>();
        byIdentity.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Counts c = e.getValue();
            List<Map.Entry<String, Long>> denied = c.deniedDestinations.entrySet().stream()
                    .map(d -> Map.entry(d.getKey(), d.getValue().sum()))
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                    .limit(top).toList();
            rows.add(new Row(e.getKey(), c.allowed.sum(), c.denied.sum(), c.wouldDeny.sum(), c.pending.get(), denied));
        });
        return rows;
    }
}
