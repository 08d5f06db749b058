package dev.egressguard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The operator's approver, consulted for destinations an identity's rules {@code ask} about.
 *
 * @param url      where to POST {@code {"identity","host","port","mode"}}: http:// only, with no credentials
 *                 or query (it is shown by lint and {@code /policy}; the approver trusts the network, not a token)
 * @param timeout  no answer within this: {@code approval.timeout}, denied
 * @param cacheFor how long an answer (allow or deny) is remembered per (identity, host, port)
 */
public record ApprovalSettings(URI url, Duration timeout, Duration cacheFor) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CACHE_FOR = Duration.ofMinutes(10);
    /** Longest {@code timeout}: a request waits this long for the approver at the most. */
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    static final String URL_EXPECTED = "an http:// URL such as http://127.0.0.1:8700/decide (no credentials, query or fragment)";

    public ApprovalSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(cacheFor, "cacheFor");
        if (urlProblem(url.toString()).isPresent()) {
            throw new IllegalArgumentException("url: \"" + url + "\" (expected: " + URL_EXPECTED + ")");
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0 and <= " + MAX_TIMEOUT + ")");
        }
        if (cacheFor.isNegative() || cacheFor.isZero()) {
            throw new IllegalArgumentException("cacheFor: " + cacheFor + " (expected: > 0)");
        }
    }

    /** What is wrong with {@code text} as the approver's URL, if anything. */
    static Optional<String> urlProblem(String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.of(URL_EXPECTED);
        }
        boolean http = u.getScheme() != null && u.getScheme().toLowerCase(Locale.ROOT).equals("http");
        boolean portOk = u.getPort() == -1 || (u.getPort() >= 1 && u.getPort() <= 65535);
        if (!http || u.isOpaque() || u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null
                || u.getRawFragment() != null || !portOk) {
            return Optional.of(URL_EXPECTED);
        }
        return Optional.empty();
    }
}
