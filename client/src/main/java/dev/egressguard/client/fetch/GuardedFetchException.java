package dev.egressguard.client.fetch;

/**
 * Why a guarded fetch returned no response. Unchecked; each subclass is one narrow cause, and the
 * messages of those that OpenClaw has are OpenClaw's exact text, so that a caller (or an agent)
 * reads the same words from either implementation. None carries a body, a query string or a
 * header value.
 */
public abstract sealed class GuardedFetchException extends RuntimeException
        permits FetchBlockedException, InvalidFetchUrlException, FetchRedirectException, FetchResolveException,
                FetchProxyException, FetchTimeoutException, FetchBodyTooLargeException, FetchConnectionException {
    private final int upstreamRequests;

    GuardedFetchException(String message, Throwable cause, int upstreamRequests) {
        super(message, cause);
        this.upstreamRequests = upstreamRequests;
    }

    /** Requests that had been sent upstream when the fetch stopped (0 when refused up front). */
    public int upstreamRequests() {
        return upstreamRequests;
    }
}
