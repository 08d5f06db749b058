package dev.egressguard.core.net;

import java.util.Optional;

/**
 * IPv4 addresses as the WHATWG URL Standard reads a host that ends in a number: the way a browser
 * turns {@code 0x7f.1}, {@code 0177.0.0.1} or {@code 2130706433} into {@code 127.0.0.1}. Only
 * {@link TargetUrl}'s host parser reads hosts this way; a policy never does.
 */
public final class WhatwgIpv4Literals {
    private WhatwgIpv4Literals() {}

    /**
     * The WHATWG URL Standard's IPv4 parser: one to four parts, each decimal, octal (leading
     * {@code 0}) or hex ({@code 0x}); the last part fills the remaining bytes; one trailing dot.
     */
    public static Optional<IpAddress> tryParse(String text) {
        long v = parse(text);
        return v < 0 ? Optional.empty() : Optional.of(IpAddress.ofIpv4((int) v));
    }

    /**
     * The standard's "ends in a number" check: the last label (one trailing dot aside) is all
     * decimal digits, or {@code 0x} and hex digits. Such a host is an IPv4 address or invalid,
     * never a name. Expects lowercase ASCII.
     */
    static boolean endsInANumber(String host) {
        String s = host;
        if (s.endsWith(".")) {
            if (s.length() == 1) {
                return false;
            }
            s = s.substring(0, s.length() - 1);
        }
        String last = s.substring(s.lastIndexOf('.') + 1);
        if (last.isEmpty()) {
            return false;
        }
        boolean digits = true;
        for (int i = 0; i < last.length(); i++) {
            digits &= IpLiterals.isAsciiDigit(last.charAt(i));
        }
        if (digits) {
            return true;
        }
        if (last.startsWith("0x")) {
            for (int i = 2; i < last.length(); i++) {
                if (!IpLiterals.isAsciiHex(last.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** The 32-bit value, or -1 on failure. */
    private static long parse(String input) {
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
                long number = parseNumber(s, start, i);
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

    private static long parseNumber(String s, int from, int to) {
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
            int d = IpLiterals.isAsciiHex(c) ? Character.digit(c, radix) : -1;
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
}
