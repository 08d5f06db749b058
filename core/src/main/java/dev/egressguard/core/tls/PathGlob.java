package dev.egressguard.core.tls;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A path pattern of an intercept rule, matched against the decoded path ({@link RequestPaths}):
 * {@code /repos/my-org/**}, {@code /gists}, {@code /repos/*}{@code /issues}. A {@code *} matches
 * within one segment (no {@code /}); a {@code **} segment matches any number of segments, none
 * included ({@code /a/**} matches {@code /a}, {@code /a/} and {@code /a/b/c}). Matching ignores
 * ASCII case and one trailing slash, so that a deny rule cannot be sidestepped by {@code /Gists}
 * or {@code /gists/} on origins that read them as {@code /gists}.
 */
public final class PathGlob {
    private static final String EXPECTED = "a path pattern starting with '/', such as /repos/my-org/** or /gists"
            + " ('*' within a segment, '**' as a whole segment; no '.' or '..' segments, '//', '%', '?', '#', ';' or '\\')";

    private final String text;
    private final String[] segments;

    private PathGlob(String text, String[] segments) {
        this.text = text;
        this.segments = segments;
    }

    /** Parses a pattern; throws {@link IllegalArgumentException} with {@code "text" (expected: …)}. */
    public static PathGlob parse(String text) {
        Optional<String> problem = problem(text);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("\"" + text + "\" (expected: " + problem.get() + ")");
        }
        return new PathGlob(text, split(text));
    }

    /** What is wrong with {@code text} as a pattern, phrased as the expectation; empty when valid. */
    public static Optional<String> problem(String text) {
        if (text == null || text.isEmpty() || text.charAt(0) != '/') {
            return Optional.of(EXPECTED);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c == 0x7f || "%?#;\\".indexOf(c) >= 0) {
                return Optional.of(EXPECTED);
            }
        }
        String[] segs = text.substring(1).split("/", -1);
        for (int i = 0; i < segs.length; i++) {
            String s = segs[i];
            boolean last = i == segs.length - 1;
            if (s.equals(".") || s.equals("..") || (s.isEmpty() && !last) || (s.contains("**") && !s.equals("**"))) {
                return Optional.of(EXPECTED);
            }
        }
        return Optional.empty();
    }

    private static String[] split(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.equals("/") ? new String[0] : p.substring(1).toLowerCase(Locale.ROOT).split("/", -1);
    }

    /** True when the decoded path {@code path} (starting with '/') matches. */
    public boolean matches(String path) {
        String[] p = split(path.toLowerCase(Locale.ROOT));
        // matched[g][i]: glob segments from g on match path segments from i on; linear in both, whatever the pattern
        boolean[] next = new boolean[p.length + 1];
        next[p.length] = true;
        for (int g = segments.length - 1; g >= 0; g--) {
            boolean[] here = new boolean[p.length + 1];
            boolean any = segments[g].equals("**");
            for (int i = p.length; i >= 0; i--) {
                here[i] = any ? next[i] || (i < p.length && here[i + 1]) : i < p.length && next[i + 1] && segmentMatches(segments[g], p[i]);
            }
            next = here;
        }
        return next[0];
    }

    /** One segment: '*' matches any run of characters (greedy with one backtrack point: linear per star). */
    private static boolean segmentMatches(String glob, String segment) {
        int g = 0;
        int s = 0;
        int star = -1;
        int mark = 0;
        while (s < segment.length()) {
            if (g < glob.length() && glob.charAt(g) != '*' && glob.charAt(g) == segment.charAt(s)) {
                g++;
                s++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                mark = s;
            } else if (star >= 0) {
                g = star + 1;
                s = ++mark;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathGlob && ((PathGlob) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }
}
