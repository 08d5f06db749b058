package dev.egressguard.core.net;

/**
 * Hides what a URL-ish text may carry in secret — userinfo, query, fragment — for messages about
 * text that may not even parse. Parsed URLs have their own redacted forms; this is for the rest.
 */
public final class UrlCredentials {
    private UrlCredentials() {}

    /**
     * {@code text} with everything from after the scheme's slashes up to the last {@code @} replaced
     * by {@code redacted}, and anything from the first {@code ?} or {@code #} after that dropped.
     * {@code http://u:pa/ss@host:3128?token=x} becomes {@code http://redacted@host:3128}.
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String s = text;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            int start = 0;
            int colon = s.indexOf(':');
            boolean slashes = colon > 0 && colon + 1 < s.length() && (s.charAt(colon + 1) == '/' || s.charAt(colon + 1) == '\\');
            if (slashes && colon < at && isScheme(s.substring(0, colon))) {
                start = colon + 1;
                while (start < at && (s.charAt(start) == '/' || s.charAt(start) == '\\')) {
                    start++;
                }
            }
            s = s.substring(0, start) + "redacted" + s.substring(at);
        }
        int from = Math.max(0, s.lastIndexOf('@'));
        int cut = -1;
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == '?' || s.charAt(i) == '#') {
                cut = i;
                break;
            }
        }
        return cut < 0 ? s : s.substring(0, cut);
    }

    private static boolean isScheme(String s) {
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
