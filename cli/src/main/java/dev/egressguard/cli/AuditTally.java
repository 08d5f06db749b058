package dev.egressguard.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.policy.DestinationPattern;
import dev.egressguard.core.policy.Identities;
import dev.egressguard.core.policy.Identity;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What audit logs show each identity reached, counted: decision events with verdict {@code allow},
 * or {@code would_deny} for a destination or approval reason (what {@code mode: report} would have
 * refused), per (host, port); and, apart, the destinations the denylist denied ({@code ip.*},
 * {@code host.*}). Events without an {@code identity} are {@code default}'s.
 *
 * <p>Memory is bounded: at most {@link #MAX_IDENTITIES} identities, {@code maxPerIdentity} distinct
 * destinations per identity and {@link #MAX_TOTAL} in all (allowed and denied each); requests to
 * destinations past a bound are counted, not kept.
 */
final class AuditTally {
    static final int MAX_IDENTITIES = 256;
    static final int MAX_TOTAL = 200_000;
    private static final int MAX_SKIPPED_REASONS = 64;
    private static final JsonFactory JSON = new JsonFactory();

    /** A destination as the host rules read it. */
    record Target(String host, int port) {}

    /** A denied destination and why. */
    record Denied(String host, int port, String reason) {}

    /** One identity's counts. */
    static final class PerIdentity {
        final Map<Target, long[]> allowed = new HashMap<>();
        final Map<Denied, long[]> denied = new HashMap<>();
        /** Requests to destinations that found the bounds full. */
        long untallied;
    }

    private final int maxPerIdentity;
    private final Map<String, PerIdentity> identities = new LinkedHashMap<>();
    private final Map<String, long[]> skipped = new LinkedHashMap<>();
    private int kept;
    private long decisions;

    AuditTally(int maxPerIdentity) {
        this.maxPerIdentity = maxPerIdentity;
    }

    /** The fields of one event this reads; the rest are skipped. */
    private static final class Event {
        String event;
        String mode;
        String identity;
        String host;
        int port;
        String verdict;
        String reason;
    }

    /** Counts one line; returns false when it is not a JSON object (a malformed line). */
    boolean accept(byte[] line, int length) {
        Event e = new Event();
        try (JsonParser p = JSON.createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                JsonToken value = p.nextToken();
                boolean text = value == JsonToken.VALUE_STRING;
                switch (field) {
                    case "event":
                        e.event = text ? p.getText() : null;
                        break;
                    case "identity":
                        e.identity = text ? p.getText() : null;
                        break;
                    case "mode":
                        e.mode = text ? p.getText() : null;
                        break;
                    case "host":
                        e.host = text ? p.getText() : null;
                        break;
                    case "port":
                        e.port = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : 0;
                        break;
                    case "verdict":
                        e.verdict = text ? p.getText() : null;
                        break;
                    case "reason":
                        e.reason = text ? p.getText() : null;
                        break;
                    default:
                        p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return false;
            }
        } catch (IOException | RuntimeException ex) {
            return false;
        }
        if ("decision".equals(e.event) && !"intercept".equals(e.mode) && !"tls".equals(e.mode)) {
            decision(e); // requests inside an intercepted tunnel (docs/tls.md) are its CONNECT's destination, counted once
        }
        return true;
    }

    private void decision(Event e) {
        decisions++;
        String reason = e.reason == null ? "(no reason)" : e.reason;
        String name = e.identity == null ? Identities.DEFAULT : e.identity;
        if (!name.equals(Identities.DEFAULT) && Identity.nameProblem(name).isPresent()) {
            skip("(invalid identity)");
            return;
        }
        String host = e.host == null ? null : Hostnames.canonicalize(e.host).orElse(null);
        int port = e.port >= 1 && e.port <= 65535 ? e.port : 0;
        boolean refused = "deny".equals(e.verdict) || "would_deny".equals(e.verdict);
        boolean denylist = refused && (reason.startsWith("ip.") || reason.startsWith("host."));
        boolean wanted = "allow".equals(e.verdict)
                || ("would_deny".equals(e.verdict) && (reason.startsWith("dest.") || reason.startsWith("approval.")));
        if (!denylist && !wanted) {
            skip(reason);
            return;
        }
        if (host == null || (wanted && DestinationPattern.tryParse(host).isEmpty())) {
            skip(denylist ? reason : "(no readable host)");
            return;
        }
        PerIdentity t = identities.get(name);
        if (t == null) {
            if (identities.size() >= MAX_IDENTITIES) {
                skip("(over " + MAX_IDENTITIES + " identities)");
                return;
            }
            t = new PerIdentity();
            identities.put(name, t);
        }
        if (denylist) {
            count(t, t.denied, new Denied(host, port, reason));
        } else {
            count(t, t.allowed, new Target(host, port));
        }
    }

    private <K> void count(PerIdentity t, Map<K, long[]> map, K key) {
        long[] n = map.get(key);
        if (n == null) {
            if (map.size() >= maxPerIdentity || kept >= MAX_TOTAL) {
                t.untallied++;
                return;
            }
            n = new long[1];
            map.put(key, n);
            kept++;
        }
        n[0]++;
    }

    private void skip(String reason) {
        String key = skipped.containsKey(reason) || skipped.size() < MAX_SKIPPED_REASONS ? reason : "(other)";
        skipped.computeIfAbsent(key, k -> new long[1])[0]++;
    }

    Map<String, PerIdentity> identities() {
        return identities;
    }

    /** Decision events not used, by reason. */
    Map<String, long[]> skipped() {
        return skipped;
    }

    long decisions() {
        return decisions;
    }

    int maxPerIdentity() {
        return maxPerIdentity;
    }
}
