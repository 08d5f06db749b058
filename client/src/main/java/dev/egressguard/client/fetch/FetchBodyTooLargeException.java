package dev.egressguard.client.fetch;

/** The response body is longer than {@code maxBodyBytes}; reading stopped at the limit. */
public final class FetchBodyTooLargeException extends GuardedFetchException {
    private final long limit;

    FetchBodyTooLargeException(long limit, String origin, int upstreamRequests) {
        super("Response body from " + origin + " exceeds maxBodyBytes: " + limit, null, upstreamRequests);
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
