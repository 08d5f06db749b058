package dev.egressguard.core.net;

import java.util.Optional;

/**
 * Strict parsing of IP literals, without DNS. Never calls {@code InetAddress.getByName} on text.
 *
 * <ul>
 *   <li>{@link #tryParse} accepts canonical dotted-decimal IPv4 (no leading zeros, exactly four
 *       parts) and RFC 4291 IPv6 text with an optional dotted-quad tail and an optional zone id
 *       ({@code %eth0}, RFC 6874 unreserved characters).
 *   <li>{@link #looksLikeIpv4Literal} is the fail-closed shape check a hostname gets before DNS.
 * </ul>
 * The way a browser reads {@code 0x7f.1} as {@code 127.0.0.1} is {@link WhatwgIpv4Literals}; the
 * text an address prints as is {@link IpAddress#toString()}.
 */
public final class IpLiterals {
    private IpLiterals() {}

    /** Strict parse: canonical IPv4 or IPv6 text (no brackets, no whitespace). */
    public static Optional<IpAddress> tryParse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        if (text.indexOf(':') < 0) {
            long v4 = parseCanonicalIpv4(text, 0, text.length());
            return v4 < 0 ? Optional.empty() : Optional.of(IpAddress.ofIpv4((int) v4));
        }
        return Optional.ofNullable(parseIpv6(text));
    }

    /** Strict parse; throws {@link IllegalArgumentException} naming the input. */
    public static IpAddress parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException(
                "ip: \"" + text + "\" (expected: an IPv4 or IPv6 literal)"));
    }

    /**
     * Parses what may stand in a host position: trims, lowercases, drops trailing dots and one
     * pair of brackets, then parses strictly.
     */
    public static Optional<IpAddress> tryParseHost(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return tryParse(Hostnames.normalize(text));
    }

    /** True when {@code text} is exactly four dotted decimal octets with no leading zeros. */
    public static boolean isCanonicalIpv4(String text) {
        return text != null && parseCanonicalIpv4(text, 0, text.length()) >= 0;
    }

    /**
     * The fail-closed shape check for hostnames: one to four dot-separated labels, each empty,
     * decimal digits, or {@code 0x} followed by letters and digits, and a non-empty last label.
     * Anything of this shape that is not canonical dotted decimal is an attempt at an IPv4
     * literal ({@code 0x7g.0.0.1}, {@code 127..0.1}, {@code 08.0.0.1}) and is denied before DNS.
     * Expects lowercase text.
     */
    public static boolean looksLikeIpv4Literal(String text) {
        if (text == null || text.isEmpty() || text.charAt(text.length() - 1) == '.') {
            return false;
        }
        int parts = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                if (++parts > 4 || !isLooseNumericLabel(text, start, i)) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    private static boolean isLooseNumericLabel(String s, int from, int to) {
        if (to - from >= 2 && s.charAt(from) == '0' && s.charAt(from + 1) == 'x') {
            for (int i = from + 2; i < to; i++) {
                char c = s.charAt(i);
                if (!isAsciiDigit(c) && (c < 'a' || c > 'z')) {
                    return false;
                }
            }
            return true;
        }
        for (int i = from; i < to; i++) {
            if (!isAsciiDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Canonical dotted-decimal IPv4 in {@code s[from, to)}, or -1. */
    private static long parseCanonicalIpv4(CharSequence s, int from, int to) {
        long value = 0;
        int parts = 0;
        int i = from;
        while (true) {
            int start = i;
            int octet = 0;
            while (i < to && isAsciiDigit(s.charAt(i))) {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return -1;
                }
            }
            int len = i - start;
            if (len == 0 || (len > 1 && s.charAt(start) == '0') || octet > 255) {
                return -1;
            }
            value = (value << 8) | octet;
            parts++;
            if (i == to) {
                return parts == 4 ? value : -1;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return -1;
            }
            i++;
        }
    }

    /** RFC 4291 text with an optional dotted-quad tail and zone id, or null. */
    private static IpAddress parseIpv6(String s) {
        int end = s.length();
        String zone = null;
        int pct = s.indexOf('%');
        if (pct >= 0) {
            zone = s.substring(pct + 1);
            if (!isValidZone(zone)) {
                return null;
            }
            end = pct;
        }
        if (end < 2) {
            return null;
        }
        int[] groups = new int[8];
        int n = 0;
        int gapAt = -1;
        int i = 0;
        if (s.charAt(0) == ':') {
            if (s.charAt(1) != ':') {
                return null;
            }
            gapAt = 0;
            i = 2;
        }
        while (i < end) {
            if (n == 8) {
                return null;
            }
            int start = i;
            int v = 0;
            while (i < end && isAsciiHex(s.charAt(i))) {
                v = (v << 4) | Character.digit(s.charAt(i), 16);
                i++;
                if (i - start > 4) {
                    return null;
                }
            }
            if (i < end && s.charAt(i) == '.') {
                if (n > 6) {
                    return null;
                }
                long v4 = parseCanonicalIpv4(s, start, end);
                if (v4 < 0) {
                    return null;
                }
                groups[n++] = (int) (v4 >>> 16);
                groups[n++] = (int) (v4 & 0xffff);
                break;
            }
            if (i == start) {
                return null;
            }
            groups[n++] = v;
            if (i == end) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < end && s.charAt(i) == ':') {
                if (gapAt >= 0) {
                    return null;
                }
                gapAt = n;
                i++;
            } else if (i == end) {
                return null;
            }
        }
        if (gapAt < 0) {
            if (n != 8) {
                return null;
            }
        } else {
            if (n > 7) {
                return null;
            }
            int[] expanded = new int[8];
            int tail = n - gapAt;
            System.arraycopy(groups, 0, expanded, 0, gapAt);
            System.arraycopy(groups, gapAt, expanded, 8 - tail, tail);
            groups = expanded;
        }
        long high = 0;
        long low = 0;
        for (int g = 0; g < 4; g++) {
            high = (high << 16) | groups[g];
            low = (low << 16) | groups[g + 4];
        }
        return IpAddress.ofIpv6(high, low, zone);
    }

    /**
     * RFC 6874 unreserved characters, 1..64 of them, not ending in a dot: a host's trailing dots
     * are dropped before it is parsed ({@link Hostnames#normalize}), so a zone ending in one would
     * not read back as itself.
     */
    private static boolean isValidZone(String zone) {
        if (zone.isEmpty() || zone.length() > 64 || zone.endsWith(".")) {
            return false;
        }
        for (int i = 0; i < zone.length(); i++) {
            char c = zone.charAt(i);
            boolean ok = isAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || c == '.' || c == '_' || c == '~' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
