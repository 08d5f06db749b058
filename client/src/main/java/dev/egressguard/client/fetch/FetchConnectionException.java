package dev.egressguard.client.fetch;

import java.io.IOException;

/** The upstream (or the proxy) could not be reached, or the exchange broke off; the cause says how. */
public final class FetchConnectionException extends GuardedFetchException {
    FetchConnectionException(String origin, IOException cause, int upstreamRequests) {
        super("Request to " + origin + " failed: " + cause, cause, upstreamRequests);
    }
}
