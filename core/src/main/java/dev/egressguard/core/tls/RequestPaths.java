package dev.egressguard.core.tls;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The path of a request in an intercepted tunnel, read once: origin-form only, percent escapes
 * decoded once, and every spelling that an origin could read differently from the rules refused —
 * dot segments ({@code /a/../b}, {@code %2e%2e}), encoded separators ({@code %2F}, {@code %5C}),
 * an encoded {@code %} ({@code %252F} is a slash after a second decoding), backslashes, {@code ;}
 * (servlet containers read path parameters from it), empty segments ({@code //}), control
 * characters and escapes that are not UTF-8. The query is split off and never looked at.
 */
public final class RequestPaths {
    /** The outcome: the decoded path, or the rule that refused the target. */
    public record Checked(String path, String refusal) {
        public boolean isValid() {
            return refusal == null;
        }
    }

    private RequestPaths() {}

    /** Reads {@code requestTarget} (as on the request line). */
    public static Checked check(String requestTarget) {
        if (requestTarget == null || requestTarget.isEmpty() || requestTarget.charAt(0) != '/') {
            return refused("path:not-origin-form");
        }
        int q = requestTarget.indexOf('?');
        String raw = q < 0 ? requestTarget : requestTarget.substring(0, q);
        if (raw.indexOf('#') >= 0 || (q >= 0 && requestTarget.indexOf('#', q) >= 0)) {
            return refused("path:fragment");
        }
        ByteBuffer decoded = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int value = i + 2 < raw.length() ? hex(raw.charAt(i + 1), raw.charAt(i + 2)) : -1;
                if (value < 0) {
                    return refused("path:escape");
                }
                if (value == '/' || value == '\\' || value == '%' || value == ';' || value < 0x20 || value == 0x7f) {
                    return refused("path:encoded-separator");
                }
                decoded.put((byte) value);
                i += 2;
            } else if (c == '\\' || c == ';') {
                return refused("path:separator");
            } else if (!isPathChar(c)) {
                return refused("path:character");
            } else {
                decoded.put((byte) c);
            }
        }
        decoded.flip();
        String path;
        try {
            path = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(decoded).toString();
        } catch (CharacterCodingException e) {
            return refused("path:escape");
        }
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.equals(".") || s.equals("..")) {
                return refused("path:dot-segment");
            }
            if (s.isEmpty() && i < segments.length - 1) {
                return refused("path:empty-segment");
            }
        }
        return new Checked(path, null);
    }

    /** The path of a valid target, for messages: empty when it is not valid. */
    public static Optional<String> pathOf(String requestTarget) {
        Checked c = check(requestTarget);
        return c.isValid() ? Optional.of(c.path()) : Optional.empty();
    }

    private static Checked refused(String rule) {
        return new Checked(null, rule);
    }

    /** RFC 3986 pchar and '/', without '%' (read above), ';' and the characters no path holds. */
    private static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~!$&'()*+,=:@/".indexOf(c) >= 0;
    }

    private static int hex(char a, char b) {
        int hi = Character.digit(a, 16);
        int lo = Character.digit(b, 16);
        return hi < 0 || lo < 0 || a > 0x7f || b > 0x7f ? -1 : hi * 16 + lo;
    }
}
