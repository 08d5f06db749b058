package dev.egressguard.client.fetch;

import java.time.Duration;

/** A connect, read or overall deadline passed. The message names the origin and the limit. */
public final class FetchTimeoutException extends GuardedFetchException {
    /** Which deadline passed. */
    public enum Phase {
        /** No connection within {@code connectTimeout}. */
        CONNECT,
        /** Connected, but no bytes for {@code readTimeout} (or a write stalled as long). */
        READ,
        /** The whole fetch, redirects and body included, ran past {@code overallTimeout}. */
        OVERALL
    }

    private final Phase phase;
    private final Duration limit;

    FetchTimeoutException(Phase phase, Duration limit, String origin, Throwable cause, int upstreamRequests) {
        super(describe(phase, limit, origin), cause, upstreamRequests);
        this.phase = phase;
        this.limit = limit;
    }

    private static String describe(Phase phase, Duration limit, String origin) {
        switch (phase) {
            case CONNECT:
                return "Timed out connecting to " + origin + " (connectTimeout: " + limit + ")";
            case READ:
                return "Timed out waiting for " + origin + " (readTimeout: " + limit + ")";
            default:
                return "Fetch timed out at " + origin + " (overallTimeout: " + limit + ")";
        }
    }

    public Phase phase() {
        return phase;
    }

    /** The configured limit that was exceeded. */
    public Duration limit() {
        return limit;
    }
}
