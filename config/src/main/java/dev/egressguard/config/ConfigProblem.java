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
        return (path.isEmpty() ? "(document)" : path) + ": " + (value == null ? "" : quoted(value, 120) + " ")
                + "(expected: " + expected + ")";
    }

    @Override
    public String toString() {
        String where = source == null ? "" : source + (line > 0 ? ":" + line : "") + ": ";
        return where + message();
    }

    /**
     * {@code value} as a YAML double-quoted scalar, which a message shows the same way: a backslash
     * before each quote and backslash; as four-hex-digit escapes the C0 and C1 controls, DEL, the
     * line breaks a YAML reader would fold (NEL, U+2028, U+2029), every surrogate (a lone one
     * cannot be written as itself; a pair is joined again when read) and the code points YAML does
     * not allow in a stream (U+FEFF, U+FFFE, U+FFFF); past {@code limit} characters cut, with
     * {@code …}. The printout reads back as exactly {@code value}.
     */
    static String quoted(String value, int limit) {
        StringBuilder sb = new StringBuilder("\"");
        int end = Math.min(value.length(), limit);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
                    || c == 0xfeff || c >= 0xfffe) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (value.length() > end) {
            sb.append("…");
        }
        return sb.append('"').toString();
    }
}
