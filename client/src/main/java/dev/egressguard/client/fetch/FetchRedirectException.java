package dev.egressguard.client.fetch;

/**
 * A redirect the guard does not follow. {@link Problem#TOO_MANY} is OpenClaw's
 * {@code GuardedFetchRedirectError}; the messages of all three are OpenClaw's.
 */
public final class FetchRedirectException extends GuardedFetchException {
    /** What was wrong with the redirect. */
    public enum Problem {
        /** More redirects than {@code maxRedirects}: {@code Too many redirects (limit: N)}. */
        TOO_MANY,
        /** A 3xx redirect status without {@code Location}: {@code Redirect missing location header (302)}. */
        MISSING_LOCATION,
        /** The same method and URL again: {@code Redirect loop detected}. */
        LOOP
    }

    private final Problem problem;
    private final int status;

    private FetchRedirectException(Problem problem, int status, String message, int upstreamRequests) {
        super(message, null, upstreamRequests);
        this.problem = problem;
        this.status = status;
    }

    static FetchRedirectException tooMany(int status, int maxRedirects, int upstreamRequests) {
        return new FetchRedirectException(Problem.TOO_MANY, status, "Too many redirects (limit: " + maxRedirects + ")",
                upstreamRequests);
    }

    static FetchRedirectException missingLocation(int status, int upstreamRequests) {
        return new FetchRedirectException(Problem.MISSING_LOCATION, status,
                "Redirect missing location header (" + status + ")", upstreamRequests);
    }

    static FetchRedirectException loop(int status, int upstreamRequests) {
        return new FetchRedirectException(Problem.LOOP, status, "Redirect loop detected", upstreamRequests);
    }

    public Problem problem() {
        return problem;
    }

    /** The status of the redirect response that stopped the fetch. */
    public int status() {
        return status;
    }
}
