package dev.egressguard.client.fetch;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What to fetch: the URL, the method, the header fields and an optional body. Immutable. The URL is
 * kept as text and judged by {@link GuardedFetch#fetch}, which is where an unusable URL is
 * reported ({@link InvalidFetchUrlException}), as OpenClaw's {@code fetchWithSsrFGuard} does.
 * {@link #toString()} shows neither the query string, the header values nor the body.
 */
public final class FetchRequest {
    private final String url;
    private final String method;
    private final FetchHeaders headers;
    private final byte[] body;

    private FetchRequest(Builder b) {
        this.url = b.url;
        this.method = b.method;
        this.headers = b.headers.build();
        this.body = b.body;
    }

    /** A GET of {@code url} with no header fields. */
    public static FetchRequest get(String url) {
        return builder(url).build();
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    public Builder toBuilder() {
        Builder b = new Builder(url).method(method);
        b.headers = headers.toBuilder();
        b.body = body;
        return b;
    }

    public String url() {
        return url;
    }

    /** The method in upper case. */
    public String method() {
        return method;
    }

    public FetchHeaders headers() {
        return headers;
    }

    /** A copy of the body; empty when the request has none (which differs from an empty body). */
    public Optional<byte[]> body() {
        return Optional.ofNullable(body).map(byte[]::clone);
    }

    byte[] bodyOrNull() {
        return body;
    }

    @Override
    public String toString() {
        String shown = dev.egressguard.core.net.UrlCredentials.redact(url);
        return "FetchRequest{" + method + " " + (shown.length() < url.length() && url.indexOf('?') >= 0 ? shown + "?…" : shown)
                + ", headers=" + headers
                + (body == null ? "" : ", body=" + body.length + " bytes") + "}";
    }

    /** Builds a {@link FetchRequest}; GET with no header fields and no body unless told otherwise. */
    public static final class Builder {
        private final String url;
        private String method = "GET";
        private FetchHeaders.Builder headers = FetchHeaders.builder();
        private byte[] body;

        private Builder(String url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /** The method, an HTTP token; stored in upper case. */
        public Builder method(String method) {
            Objects.requireNonNull(method, "method");
            if (!FetchHeaders.isToken(method)) {
                throw new IllegalArgumentException("method: \"" + method + "\" (expected: an HTTP token such as GET or POST)");
            }
            this.method = method.toUpperCase(Locale.ROOT);
            return this;
        }

        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        public Builder headers(FetchHeaders fields) {
            this.headers = fields.toBuilder();
            return this;
        }

        /** The body, copied; {@code null} for none. */
        public Builder body(byte[] body) {
            this.body = body == null ? null : Arrays.copyOf(body, body.length);
            return this;
        }

        /** @throws IllegalArgumentException a body on a GET or HEAD */
        public FetchRequest build() {
            if (body != null && (method.equals("GET") || method.equals("HEAD"))) {
                throw new IllegalArgumentException("body: " + body.length + " bytes on " + method
                        + " (expected: no body for GET or HEAD)");
            }
            return new FetchRequest(this);
        }
    }
}
