package dev.egressguard.core.net;

import java.util.Objects;
import java.util.Optional;

/**
 * A hostname pattern: an exact name ({@code api.example.com}) or a suffix wildcard
 * ({@code *.example.com}, which matches names under {@code example.com} but not the apex).
 */
public final class HostPattern {
    private final String text;
    private final String exact;
    private final String suffix;

    private HostPattern(String text, String exact, String suffix) {
        this.text = text;
        this.exact = exact;
        this.suffix = suffix;
    }

    /** Parses a pattern; throws {@link IllegalArgumentException} with {@code "text" (expected: …)}. */
    public static HostPattern parse(String text) {
        Optional<String> problem = problem(text);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("\"" + text + "\" (expected: " + problem.get() + ")");
        }
        String s = Hostnames.canonicalize(text.startsWith("*.") ? text.substring(2) : text).orElseThrow();
        return text.startsWith("*.") ? new HostPattern("*." + s, null, "." + s) : new HostPattern(s, s, null);
    }

    /**
     * What is wrong with {@code text} as a pattern, or empty. Only a leading {@code *.} may hold a
     * wildcard; IP literals are CIDR rules' business.
     */
    public static Optional<String> problem(String text) {
        if (text == null || text.isBlank()) {
            return Optional.of("a hostname or *.suffix");
        }
        String body = text.startsWith("*.") ? text.substring(2) : text;
        if (body.indexOf('*') >= 0) {
            return Optional.of("a hostname or *.suffix; '*' is only allowed as a leading \"*.\"");
        }
        Optional<String> canonical = Hostnames.canonicalize(body);
        if (canonical.isEmpty() || !Hostnames.isValidDnsName(canonical.get())) {
            if (canonical.isPresent() || IpLiterals.tryParseHost(body).isPresent()) {
                return Optional.of("a hostname; write IP addresses as cidr rules");
            }
            return Optional.of("a hostname or *.suffix of letters, digits, '-' and '_'");
        }
        if (IpLiterals.looksLikeIpv4Literal(canonical.get())) {
            return Optional.of("a hostname; write IP addresses as cidr rules");
        }
        return Optional.empty();
    }

    /** Lenient parse for untrusted option lists: patterns that cannot match anything are empty. */
    public static Optional<HostPattern> tryParse(String text) {
        return problem(text).isPresent() ? Optional.empty() : Optional.of(parse(text));
    }

    /** Matches a normalised, lowercase hostname. */
    public boolean matches(String normalizedHost) {
        if (exact != null) {
            return exact.equals(normalizedHost);
        }
        return normalizedHost.length() > suffix.length() && normalizedHost.endsWith(suffix);
    }

    public boolean isWildcard() {
        return suffix != null;
    }

    /** True when every name this pattern matches is also matched by {@code other}. */
    public boolean isCoveredBy(HostPattern other) {
        if (other.exact != null) {
            return exact != null && exact.equals(other.exact);
        }
        String mine = exact != null ? exact : suffix.substring(1);
        return exact != null ? other.matches(mine) : (mine.equals(other.suffix.substring(1)) || other.matches(mine));
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostPattern && ((HostPattern) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }
}
