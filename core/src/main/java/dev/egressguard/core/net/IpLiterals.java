package dev.egressguard.core.net;

import java.util.Optional;

/**
 * Strict parsing of IP literals, without DNS. Never calls {@code InetAddress.getByName} on text.
 *
 * <ul>
 *   <li>{@link #tryParse} accepts canonical dotted-decimal IPv4 (no leading zeros, exactly four
 *       parts) and RFC 4291 IPv6 text with an optional dotted-quad tail and an optional zone id
 *       ({@code %eth0}, RFC 6874 unreserved characters).
 *   <li>{@link #tryParseLegacyIpv4} is the WHATWG URL IPv4 parser (octal, hex, short forms), the
 *       way a browser turns {@code 0x7f.1} into {@code 127.0.0.1}.
 *   <li>{@link #looksLikeIpv4Literal} is the fail-closed shape check a hostname gets before DNS.
 * </ul>
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
        Ipv6Text parsed = parseIpv6(text);
        return parsed == null ? Optional.empty() : Optional.of(parsed.address);
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
     * Normalised text of an IP literal, or empty when it is not one: trimmed, one pair of
     * brackets removed, lowercase; IPv4-mapped addresses become IPv4, and so does an
     * IPv4-compatible address written with a dotted tail ({@code ::127.0.0.1}).
     */
    public static Optional<String> normalize(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = Hostnames.stripBrackets(text.strip()).toLowerCase(java.util.Locale.ROOT);
        if (s.indexOf(':') < 0) {
            return isCanonicalIpv4(s) ? Optional.of(s) : Optional.empty();
        }
        Ipv6Text parsed = parseIpv6(s);
        if (parsed == null) {
            return Optional.empty();
        }
        IpAddress a = parsed.address;
        Optional<IpAddress> mapped = a.unmapIpv4();
        if (mapped.isPresent()) {
            return Optional.of(mapped.get().toString());
        }
        if (parsed.dottedTail && a.high() == 0 && (a.low() >>> 32) == 0 && a.zone().isEmpty()) {
            return Optional.of(IpAddress.ofIpv4((int) a.low()).toString());
        }
        return Optional.of(a.toString());
    }

    /**
     * The WHATWG URL Standard's IPv4 parser: one to four parts, each decimal, octal (leading
     * {@code 0}) or hex ({@code 0x}); the last part fills the remaining bytes; one trailing dot.
     */
    public static Optional<IpAddress> tryParseLegacyIpv4(String text) {
        long v = parseWhatwgIpv4(text);
        return v < 0 ? Optional.empty() : Optional.of(IpAddress.ofIpv4((int) v));
    }

    /**
     * True for text that some IPv4 parser (inet_aton, WHATWG) reads as an address but that is not
     * canonical dotted decimal: {@code 0177.0.0.1}, {@code 127.1}, {@code 2130706433},
     * {@code 0x7f000001}, {@code 999.1.1.1}. One to four parts of decimal digits or {@code 0x} hex.
     */
    public static boolean isLegacyIpv4Literal(String text) {
        if (text == null || text.isEmpty() || isCanonicalIpv4(text)) {
            return false;
        }
        int parts = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                if (++parts > 4 || !isStrictNumericPart(text, start, i)) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
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

    private static boolean isStrictNumericPart(String s, int from, int to) {
        if (to - from >= 2 && s.charAt(from) == '0' && (s.charAt(from + 1) == 'x' || s.charAt(from + 1) == 'X')) {
            for (int i = from + 2; i < to; i++) {
                if (!isAsciiHex(s.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
        if (to == from) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isAsciiDigit(s.charAt(i))) {
                return false;
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
    static long parseCanonicalIpv4(CharSequence s, int from, int to) {
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

    /** The WHATWG IPv4 parser; the 32-bit value, or -1 on failure. */
    static long parseWhatwgIpv4(String input) {
        if (input == null || input.isEmpty()) {
            return -1;
        }
        String s = input;
        if (s.endsWith(".") && s.length() > 1) {
            s = s.substring(0, s.length() - 1);
        }
        long[] numbers = new long[4];
        int n = 0;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '.') {
                if (n == 4) {
                    return -1;
                }
                long number = parseWhatwgIpv4Number(s, start, i);
                if (number < 0) {
                    return -1;
                }
                numbers[n++] = number;
                start = i + 1;
            }
        }
        for (int i = 0; i < n - 1; i++) {
            if (numbers[i] > 255) {
                return -1;
            }
        }
        if (numbers[n - 1] >= (1L << (8 * (5 - n)))) {
            return -1;
        }
        long v = numbers[n - 1];
        for (int i = 0; i < n - 1; i++) {
            v += numbers[i] << (8 * (3 - i));
        }
        return v;
    }

    private static long parseWhatwgIpv4Number(String s, int from, int to) {
        if (from >= to) {
            return -1;
        }
        int radix = 10;
        if (to - from >= 2 && s.charAt(from) == '0' && (s.charAt(from + 1) == 'x' || s.charAt(from + 1) == 'X')) {
            radix = 16;
            from += 2;
        } else if (to - from >= 2 && s.charAt(from) == '0') {
            radix = 8;
            from += 1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int d = isAsciiHex(c) ? Character.digit(c, radix) : -1;
            if (d < 0) {
                return -1;
            }
            v = v * radix + d;
            if (v > 0xffff_ffffL) {
                return 1L << 40; // too large for any part; the caller's range check fails it
            }
        }
        return v;
    }

    /** Parsed IPv6 text, remembering whether it ended in a dotted quad. */
    static final class Ipv6Text {
        final IpAddress address;
        final boolean dottedTail;

        Ipv6Text(IpAddress address, boolean dottedTail) {
            this.address = address;
            this.dottedTail = dottedTail;
        }
    }

    static Ipv6Text parseIpv6(String s) {
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
        boolean dotted = false;
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
                dotted = true;
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
        return new Ipv6Text(IpAddress.ofIpv6(high, low, zone), dotted);
    }

    private static boolean isValidZone(String zone) {
        if (zone.isEmpty() || zone.length() > 64) {
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

    /**
     * RFC 5952 text. The two well-known embeddings whose IPv4 part is what an operator needs to
     * see print with a dotted tail (RFC 5952 section 5): IPv4-mapped ({@code ::ffff:127.0.0.1})
     * and the NAT64 well-known prefix ({@code 64:ff9b::127.0.0.1}).
     */
    static String format(IpAddress a) {
        if (a.isIpv4()) {
            int v = a.ipv4Bits();
            return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
        }
        StringBuilder sb = new StringBuilder(41);
        if (a.high() == 0 && (a.low() >>> 32) == 0xffffL) {
            sb.append("::ffff:").append(format(IpAddress.ofIpv4((int) a.low())));
        } else if (a.high() == 0x0064_ff9b_0000_0000L && (a.low() >>> 32) == 0) {
            sb.append("64:ff9b::").append(format(IpAddress.ofIpv4((int) a.low())));
        } else {
            int[] g = new int[8];
            for (int i = 0; i < 4; i++) {
                g[i] = (int) ((a.high() >>> (48 - 16 * i)) & 0xffff);
                g[i + 4] = (int) ((a.low() >>> (48 - 16 * i)) & 0xffff);
            }
            int bestStart = -1;
            int bestLen = 1;
            for (int i = 0; i < 8; ) {
                if (g[i] != 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            }
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    sb.append("::");
                    i += bestLen - 1;
                    continue;
                }
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                    sb.append(':');
                }
                sb.append(Integer.toHexString(g[i]));
            }
        }
        a.zone().ifPresent(z -> sb.append('%').append(z));
        return sb.toString();
    }

    static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
