package dev.egressguard.core.tls;

import java.util.Objects;

/**
 * The credential the proxy adds to requests for an intercepted host: one header and its value
 * ({@code format} with the secret in place of {@code {secret}}). The agent never holds it; it is
 * never logged, rendered or compared in the open: {@link #toString()} names the header and where
 * the secret came from, nothing else.
 *
 * @param source where the secret was read ({@code env EG_GITHUB_TOKEN}, {@code file /run/secrets/gh}), for display
 */
public final class Credential {
    public static final String PLACEHOLDER = "{secret}";

    private final String header;
    private final String format;
    private final String source;
    private final String value;

    private Credential(String header, String format, String source, String value) {
        this.header = Objects.requireNonNull(header, "header");
        this.format = Objects.requireNonNull(format, "format");
        this.source = Objects.requireNonNull(source, "source");
        this.value = Objects.requireNonNull(value, "value");
    }

    /** {@code format} must hold {@link #PLACEHOLDER} exactly once; the caller has checked header and secret. */
    public static Credential of(String header, String format, String source, String secret) {
        if (format.indexOf(PLACEHOLDER) < 0 || format.indexOf(PLACEHOLDER) != format.lastIndexOf(PLACEHOLDER)) {
            throw new IllegalArgumentException("format: \"" + format + "\" (expected: " + PLACEHOLDER + " exactly once)");
        }
        return new Credential(header, format, source, format.replace(PLACEHOLDER, secret));
    }

    public String header() {
        return header;
    }

    /** The format as written, with the placeholder (no secret in it). */
    public String format() {
        return format;
    }

    public String source() {
        return source;
    }

    /** The header value, secret included: for the upstream request only. */
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return header + ": (redacted; secret from " + source + ")";
    }
}
