package dev.egressguard.server;

import java.time.Instant;

/** Real {@link ProxyMetrics} holding chosen facts, for tests outside this package (the admin pages). */
public final class MetricsFixtures {
    private MetricsFixtures() {}

    /** Metrics that have seen one denied forward request for {@code host}. */
    public static ProxyMetrics withDenial(String host, int port, String reason) {
        ProxyMetrics m = new ProxyMetrics();
        m.decision("forward", "deny", reason);
        m.denied(new ProxyMetrics.Denial(Instant.parse("2026-11-25T04:43:42.573Z"), "forward", host, port, reason, "default:x"));
        return m;
    }
}
