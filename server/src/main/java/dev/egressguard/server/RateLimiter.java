package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * {@code limits.requestsPerSecondPerClient}: a token bucket per source address, refilled at that
 * rate and holding one second's worth (0 turns it off). Buckets idle for a minute are dropped, so
 * memory follows the number of active clients, not of clients ever seen.
 */
final class RateLimiter {
    private static final long IDLE_NANOS = 60_000_000_000L;

    private final IntSupplier ratePerSecond;
    private final ConcurrentHashMap<IpAddress, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(IntSupplier ratePerSecond) {
        this.ratePerSecond = ratePerSecond;
    }

    /**
     * Takes a token for a request from {@code client}; false when the bucket is empty. A refill of
     * one token takes at most one second at any rate of 1 or more, so the answer's
     * {@code Retry-After} is always 1.
     */
    boolean tryAcquire(IpAddress client, long nowNanos) {
        int rate = ratePerSecond.getAsInt();
        if (rate <= 0) {
            return true;
        }
        Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(rate, nowNanos));
        synchronized (b) {
            b.refill(rate, nowNanos);
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /** Drops buckets untouched for a minute. */
    void sweep(long nowNanos) {
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return nowNanos - e.getValue().lastNanos > IDLE_NANOS;
            }
        });
    }

    private static final class Bucket {
        double tokens;
        long lastNanos;

        Bucket(int rate, long now) {
            tokens = rate;
            lastNanos = now;
        }

        void refill(int rate, long now) {
            tokens = Math.min(rate, tokens + (now - lastNanos) / 1e9 * rate);
            lastNanos = now;
        }
    }
}
