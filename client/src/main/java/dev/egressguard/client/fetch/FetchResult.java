package dev.egressguard.client.fetch;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The response of a guarded fetch after any redirects: the URL it came from, its status, header
 * fields and body (at most the configured cap), and how many upstream requests the fetch made.
 * Immutable. {@link #toString()} shows the final origin, the status and sizes, never the body,
 * the query string or a header value.
 */
public final class FetchResult {
    private final String finalUrl;
    private final String finalOrigin;
    private final int status;
    private final FetchHeaders headers;
    private final byte[] body;
    private final int upstreamRequests;

    FetchResult(String finalUrl, String finalOrigin, int status, FetchHeaders headers, byte[] body, int upstreamRequests) {
        this.finalUrl = Objects.requireNonNull(finalUrl, "finalUrl");
        this.finalOrigin = Objects.requireNonNull(finalOrigin, "finalOrigin");
        this.status = status;
        this.headers = Objects.requireNonNull(headers, "headers");
        this.body = body.clone();
        this.upstreamRequests = upstreamRequests;
    }

    /** The URL of the response returned, after redirects (with its query, without a fragment). */
    public String finalUrl() {
        return finalUrl;
    }

    public int status() {
        return status;
    }

    public FetchHeaders headers() {
        return headers;
    }

    /** A copy of the body bytes (after any transfer or gzip decoding). */
    public byte[] body() {
        return body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Requests sent upstream: 1 plus the number of redirects followed. */
    public int upstreamRequests() {
        return upstreamRequests;
    }

    @Override
    public String toString() {
        return "FetchResult{" + finalOrigin + ", status=" + status + ", body=" + body.length + " bytes, upstreamRequests="
                + upstreamRequests + "}";
    }
}
