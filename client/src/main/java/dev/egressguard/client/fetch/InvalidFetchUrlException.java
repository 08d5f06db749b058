package dev.egressguard.client.fetch;

/**
 * The URL (first or redirect target) is not one the guard fetches: unparseable, not http or
 * https ({@code Invalid URL: must be http or https}), plain http when https is required
 * ({@code URL must use https}), or carrying credentials.
 */
public final class InvalidFetchUrlException extends GuardedFetchException {
    static final String NOT_HTTP = "Invalid URL: must be http or https";
    static final String NOT_HTTPS = "URL must use https";

    InvalidFetchUrlException(String message, int upstreamRequests) {
        super(message, null, upstreamRequests);
    }
}
