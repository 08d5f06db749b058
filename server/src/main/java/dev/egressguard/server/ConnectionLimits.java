package dev.egressguard.server;

import dev.egressguard.config.Limits;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Reason;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Admission of client connections and tunnels against {@code limits.maxConnections},
 * {@code limits.maxConnectionsPerClient} and {@code limits.maxTunnels}, read from the current
 * policy at each admission so that a reload takes effect for new connections. A refused
 * connection is answered (503 or 429) at its first request and never counted.
 */
final class ConnectionLimits {
    private final Supplier<Limits> limits;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger tunnels = new AtomicInteger();
    private final ConcurrentHashMap<IpAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();

    ConnectionLimits(Supplier<Limits> limits) {
        this.limits = limits;
    }

    /** Admits a connection from {@code client}, or says why not; an admitted one must be {@link #release}d. */
    Optional<Reason> admit(IpAddress client) {
        Limits l = limits.get();
        if (connections.incrementAndGet() > l.maxConnections()) {
            connections.decrementAndGet();
            return Optional.of(Reason.LIMIT_CONNECTIONS);
        }
        AtomicInteger mine = perClient.compute(client, (k, v) -> {
            AtomicInteger c = v == null ? new AtomicInteger() : v;
            c.incrementAndGet();
            return c;
        });
        if (mine.get() > l.maxConnectionsPerClient()) {
            release(client);
            return Optional.of(Reason.LIMIT_CLIENT_CONNECTIONS);
        }
        return Optional.empty();
    }

    void release(IpAddress client) {
        connections.decrementAndGet();
        perClient.computeIfPresent(client, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    /** Admits a tunnel, or returns false when {@code limits.maxTunnels} are open; an admitted one must be {@link #releaseTunnel}d. */
    boolean admitTunnel() {
        if (tunnels.incrementAndGet() > limits.get().maxTunnels()) {
            tunnels.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseTunnel() {
        tunnels.decrementAndGet();
    }
}
