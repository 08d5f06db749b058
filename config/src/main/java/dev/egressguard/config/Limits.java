package dev.egressguard.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The proxy's limits and timeouts. Defaults are documented in {@code docs/policy.md}.
 *
 * @param connectTimeout           upstream TCP connect, per address tried
 * @param idleTimeout              a connection or tunnel with no bytes either way is closed
 * @param requestHeaderTimeout     a client must send a complete request head within this (slowloris)
 * @param maxHeaderBytes           largest request head (request line plus headers)
 * @param maxConnections           client connections open at once, overall
 * @param maxConnectionsPerClient  client connections open at once from one source address
 * @param maxTunnels               CONNECT and WebSocket tunnels open at once
 * @param requestsPerSecondPerClient token-bucket rate per source address; 0 turns it off
 * @param drainTimeout             on shutdown, how long open requests and tunnels may finish
 * @param upstreamIdleTimeout      how long an idle upstream HTTP connection waits for the next request of the same
 *                                 identity to the same destination from another client connection; zero: never shared
 */
public record Limits(Duration connectTimeout, Duration idleTimeout, Duration requestHeaderTimeout, int maxHeaderBytes,
                     int maxConnections, int maxConnectionsPerClient, int maxTunnels, int requestsPerSecondPerClient,
                     Duration drainTimeout, Duration upstreamIdleTimeout) {
    private static final Limits DEFAULTS = new Limits(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(30),
            64 * 1024, 10_000, 1_000, 5_000, 0, Duration.ofSeconds(30), Duration.ofSeconds(4));

    public Limits {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(requestHeaderTimeout, "requestHeaderTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(upstreamIdleTimeout, "upstreamIdleTimeout");
    }

    public static Limits defaults() {
        return DEFAULTS;
    }
}
