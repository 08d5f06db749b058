package dev.egressguard.server;

import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.policy.Verdict;
import java.time.Instant;
import java.util.Arrays;

/** Real {@link ProxyMetrics} holding chosen facts, for tests outside this package (the admin pages). */
public final class MetricsFixtures {
    private MetricsFixtures() {}

    /** Metrics that have seen one denied forward request for {@code host}. */
    public static ProxyMetrics withDenial(String host, int port, String reason) {
        ProxyMetrics m = new ProxyMetrics();
        Reason r = Arrays.stream(Reason.values()).filter(x -> x.code().equals(reason)).findFirst().orElseThrow();
        m.decision("coder", "forward", Verdict.DENY, r, host + ":" + port);
        m.denied(new ProxyMetrics.Denial(Instant.parse("2026-11-25T04:43:42.573Z"), "forward", host, port, reason, "default:x"));
        return m;
    }
}
