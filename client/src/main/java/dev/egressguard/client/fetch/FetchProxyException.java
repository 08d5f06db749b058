package dev.egressguard.client.fetch;

/**
 * The configured proxy cannot carry this URL: in explicit-proxy mode only https targets are
 * fetched ({@code Explicit proxy SSRF pinning requires HTTPS targets; plain HTTP targets are not
 * supported}, OpenClaw's text), because there the proxy resolves the name again and only TLS
 * proves that the far end is the host that was checked.
 */
public final class FetchProxyException extends GuardedFetchException {
    static final String HTTPS_ONLY =
            "Explicit proxy SSRF pinning requires HTTPS targets; plain HTTP targets are not supported";

    FetchProxyException(String message, int upstreamRequests) {
        super(message, null, upstreamRequests);
    }
}
