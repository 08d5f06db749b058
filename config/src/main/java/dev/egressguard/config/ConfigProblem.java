package dev.egressguard.config;

import java.util.Objects;

/**
 * One thing wrong with a policy file: where (the path, and the line when known), the offending
 * value, and what was expected. Renders as
 * {@code policy.yaml:12: allow[2].cidr: "10.0.0.0/33" (expected: prefix length 0..32)}.
 */
public record ConfigProblem(String source, int line, String path, String value, String expected) {
    public ConfigProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(expected, "expected");
    }

    /** The message without the source location. */
    public String message() {
        return (path.isEmpty() ? "(document)" : path) + ": " + (value == null ? "" : quote(value) + " ")
                + "(expected: " + expected + ")";
    }

    @Override
    public String toString() {
        String where = source == null ? "" : source + (line > 0 ? ":" + line : "") + ": ";
        return where + message();
    }

    static String quote(String value) {
        StringBuilder sb = new StringBuilder("\"");
        int limit = Math.min(value.length(), 120);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (value.length() > limit) {
            sb.append("…");
        }
        return sb.append('"').toString();
    }
}
