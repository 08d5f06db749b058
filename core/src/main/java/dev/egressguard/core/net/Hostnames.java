package dev.egressguard.core.net;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/** Hostname normalisation and validation. No DNS. */
public final class Hostnames {
    /** Longest DNS name in text form, without the root dot (RFC 1035). */
    public static final int MAX_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    private Hostnames() {}

    /**
     * The light normalisation every host gets: trim, lowercase, drop trailing dots, drop one pair
     * of enclosing brackets. {@code "  [FE80::1%LO0]  "} becomes {@code "fe80::1%lo0"}.
     */
    public static String normalize(String host) {
        String s = host.strip().toLowerCase(Locale.ROOT);
        s = stripTrailingDots(s);
        s = stripBrackets(s);
        return stripTrailingDots(s);
    }

    /** Removes one pair of enclosing brackets, if present. */
    public static String stripBrackets(String s) {
        if (s.length() >= 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']') {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    /**
     * The host as it stands before {@code :port} in an authority or URL: an IPv6 literal (any host
     * with a colon) in brackets, its zone as written; anything else as it is. The reverse of
     * {@link #stripBrackets}. ({@link IpAddress#toUriHost} also escapes a zone as {@code %25}.)
     */
    public static String bracketIpv6(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private static String stripTrailingDots(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '.') {
            end--;
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    /**
     * The form a policy judges: {@link #normalize normalised}, internationalised names converted to
     * punycode by {@link #toAscii} (which also maps full-width digits and ideographic full stops to
     * ASCII), and checked to be either an IP literal or a DNS name of letters, digits, {@code -}
     * and {@code _} in labels of 1..63 characters, 253 at most. Empty when the text cannot be a host.
     */
    public static Optional<String> canonicalize(String host) {
        if (host == null) {
            return Optional.empty();
        }
        String s = normalize(host);
        if (!isAscii(s)) {
            Optional<String> ascii = toAscii(s);
            if (ascii.isEmpty()) {
                return Optional.empty();
            }
            s = normalize(ascii.get());
        }
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (s.indexOf(':') >= 0) {
            return IpLiterals.tryParse(s).map(IpAddress::toString);
        }
        return isValidDnsName(s) || IpLiterals.looksLikeIpv4Literal(s) ? Optional.of(s) : Optional.empty();
    }

    /**
     * IDNA ToASCII for a host, or empty when the name cannot be mapped without guessing. The JDK
     * implements IDNA2003, whose tables stop at Unicode 3.2; browsers and Node's {@code URL}
     * implement UTS #46 on current Unicode, which deletes code points IDNA2003 does not know
     * (U+180F or U+2064 before {@code localhost} leaves {@code localhost} to a browser).
     * A name a browser reads as {@code localhost} must never pass here as something else, so the
     * mapping refuses instead:
     * <ul>
     *   <li>any code point unassigned in Unicode 3.2 (the JDK's {@code ALLOW_UNASSIGNED} stays off);
     *   <li>any default-ignorable code point IDNA2003 does not itself map to nothing (the Hangul
     *       fillers, the Khmer inherent vowels, bidi and invisible-operator controls, tags, variation
     *       selectors beyond U+FE0F); those it maps to nothing (U+00AD, U+034F, U+180B..U+180D,
     *       U+200B..U+200D, U+2060, U+FE00..U+FE0F, U+FEFF) are deleted as UTS #46 deletes them;
     *   <li>a label that mapping splits in two (U+FE52 SMALL FULL STOP maps to a dot).
     * </ul>
     * Where both accept a name, IDNA2003 and UTS #46 map it alike but for UTS #46's four deviation
     * characters (ß, ς, ZWJ, ZWNJ), none of which can turn a name into a blocked one. A test holds
     * this against Node's WHATWG parser over some 2,000 tricky hosts.
     */
    public static Optional<String> toAscii(String host) {
        int labels = 1;
        for (int i = 0; i < host.length(); ) {
            int cp = host.codePointAt(i);
            if (isUnmappedIgnorable(cp)) {
                return Optional.empty();
            }
            if (cp == '.' || cp == 0x3002 || cp == 0xff0e || cp == 0xff61) {
                labels++;
            }
            i += Character.charCount(cp);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(host);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int mapped = 1;
        for (int i = 0; i < ascii.length(); i++) {
            if (ascii.charAt(i) == '.') {
                mapped++;
            }
        }
        return mapped == labels ? Optional.of(ascii) : Optional.empty();
    }

    /**
     * Default-ignorable code points (Unicode's DerivedCoreProperties) that IDNA2003's table B.1
     * does not map to nothing, and that UTS #46 ignores or disallows.
     */
    private static boolean isUnmappedIgnorable(int cp) {
        return cp == 0x061c || cp == 0x115f || cp == 0x1160 || cp == 0x17b4 || cp == 0x17b5 || cp == 0x180e || cp == 0x180f
                || (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2061 && cp <= 0x206f)
                || cp == 0x3164 || cp == 0xffa0 || (cp >= 0xfff0 && cp <= 0xfff8) || (cp >= 0x1bca0 && cp <= 0x1bca3)
                || (cp >= 0x1d173 && cp <= 0x1d17a) || (cp >= 0xe0000 && cp <= 0xe0fff);
    }

    /** Letters, digits, {@code -}, {@code _}; labels of 1..63; at most 253 characters. Expects lowercase ASCII. */
    public static boolean isValidDnsName(String s) {
        if (s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
            return false;
        }
        int labelLength = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (labelLength == 0) {
                    return false;
                }
                labelLength = 0;
                continue;
            }
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok || ++labelLength > MAX_LABEL_LENGTH) {
                return false;
            }
        }
        return labelLength > 0;
    }

    /** {@code localhost} and names under {@code .localhost} (RFC 6761): names that mean this machine. */
    public static boolean isLoopbackName(String normalizedHost) {
        return normalizedHost.equals("localhost") || normalizedHost.endsWith(".localhost");
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
