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

    private static String stripTrailingDots(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '.') {
            end--;
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    /**
     * The form a policy judges: {@link #normalize normalised}, internationalised names converted to
     * punycode (IDNA, which also maps full-width digits and ideographic full stops to ASCII), and
     * checked to be either an IP literal or a DNS name of letters, digits, {@code -} and {@code _}
     * in labels of 1..63 characters, 253 at most. Empty when the text cannot be a host.
     */
    public static Optional<String> canonicalize(String host) {
        if (host == null) {
            return Optional.empty();
        }
        String s = normalize(host);
        if (!isAscii(s)) {
            try {
                s = normalize(IDN.toASCII(s, IDN.ALLOW_UNASSIGNED));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (s.indexOf(':') >= 0) {
            return IpLiterals.tryParse(s).map(IpAddress::toString);
        }
        return isValidDnsName(s) || IpLiterals.looksLikeIpv4Literal(s) ? Optional.of(s) : Optional.empty();
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
