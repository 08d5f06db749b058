package dev.egressguard.client.fetch;

/** A hostname had no answer: {@code Unable to resolve hostname: NAME} (OpenClaw's text). */
public final class FetchResolveException extends GuardedFetchException {
    private final String host;

    FetchResolveException(String message, String host, int upstreamRequests) {
        super(message, null, upstreamRequests);
        this.host = host;
    }

    public String host() {
        return host;
    }
}
