package dev.egressguard.core.net;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * An http, https, ws or wss URL, with its host read the way browsers read it (the WHATWG URL
 * Standard's host parser): backslashes count as slashes, the host starts after the last
 * {@code @}, the host is percent-decoded and IDNA-mapped, and a host that ends in a number is an
 * IPv4 address in any of the legacy spellings ({@code http://0x7f000001/} is {@code 127.0.0.1}).
 *
 * <p>IDNA is where this parser and a browser's can part: browsers map hosts with UTS #46 on
 * current Unicode, the JDK with IDNA2003 on Unicode 3.2, and UTS #46 deletes code points that
 * IDNA2003 does not know (U+2064 before {@code localhost} leaves {@code localhost} to a browser). So
 * the mapping here is {@link Hostnames#toAscii}, which refuses such a host as invalid rather than
 * read it differently. Where a browser accepts a host this accepts too, both map it alike but for
 * UTS #46's four deviation characters (ß, ς, ZWJ, ZWNJ), none of which can make a blocked name; a
 * test compares the two with Node's {@code URL} over some 2,000 hosts: no host a browser maps to
 * a blocked name or address is allowed here.
 */
public final class TargetUrl {
    private static final Set<String> SCHEMES = Set.of("http", "https", "ws", "wss");

    private final String scheme;
    private final String host;
    private final int port;
    private final boolean explicitPort;
    private final String userInfo;
    private final boolean portWritten;
    private final String pathAndQuery;

    private TargetUrl(String scheme, String host, int port, boolean explicitPort, String userInfo, boolean portWritten, String pathAndQuery) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.explicitPort = explicitPort;
        this.userInfo = userInfo;
        this.portWritten = portWritten;
        this.pathAndQuery = pathAndQuery;
    }

    /** Why a text is not a usable target URL. */
    public enum Problem {
        /** Not a URL at all, or its host or port fails the browser's rules. */
        INVALID,
        /** A URL, but not http, https, ws or wss. */
        UNSUPPORTED_SCHEME
    }

    /** The parse outcome: a URL or a {@link Problem}. */
    public static final class Result {
        private final TargetUrl url;
        private final Problem problem;

        private Result(TargetUrl url, Problem problem) {
            this.url = url;
            this.problem = problem;
        }

        public Optional<TargetUrl> url() {
            return Optional.ofNullable(url);
        }

        public Optional<Problem> problem() {
            return Optional.ofNullable(problem);
        }
    }

    /** True when the text starts like a URL ({@code scheme:}) rather than a host or host:port. */
    public static boolean looksLikeUrl(String text) {
        String s = text.strip();
        int colon = s.indexOf(':');
        return colon > 0 && s.startsWith("//", colon + 1) && isScheme(s.substring(0, colon));
    }

    public static Optional<TargetUrl> tryParse(String text) {
        return parse(text).url();
    }

    public static Result parse(String text) {
        if (text == null) {
            return new Result(null, Problem.INVALID);
        }
        String s = stripControlsAndSpaces(text);
        int colon = s.indexOf(':');
        if (colon <= 0 || !isScheme(s.substring(0, colon))) {
            return new Result(null, Problem.INVALID);
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            return new Result(null, Problem.UNSUPPORTED_SCHEME);
        }
        int i = colon + 1;
        while (i < s.length() && (s.charAt(i) == '/' || s.charAt(i) == '\\')) {
            i++;
        }
        int end = i;
        while (end < s.length() && "/\\?#".indexOf(s.charAt(end)) < 0) {
            end++;
        }
        String authority = s.substring(i, end);
        String rest = s.substring(end).replace('\\', '/');
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        if (rest.isEmpty() || rest.charAt(0) != '/') {
            rest = "/" + rest;
        }
        int at = authority.lastIndexOf('@');
        String userInfo = at >= 0 ? authority.substring(0, at) : null;
        HostPort.Parts hostPort = HostPort.split(authority.substring(at + 1), false);
        if (hostPort == null) {
            return new Result(null, Problem.INVALID);
        }
        String portText = hostPort.port();
        int defaultPort = defaultPort(scheme);
        int port = defaultPort;
        boolean explicit = false;
        if (portText != null && !portText.isEmpty()) {
            port = HostPort.parseDecimalPort(portText);
            if (port < 0) {
                return new Result(null, Problem.INVALID);
            }
            explicit = port != defaultPort;
            if (!explicit) {
                port = defaultPort;
            }
        }
        Optional<String> host = hostPort.bracketed() ? parseIpv6Host(hostPort.host()) : parseHost(hostPort.host());
        if (host.isEmpty()) {
            return new Result(null, Problem.INVALID);
        }
        boolean written = portText != null && !portText.isEmpty();
        return new Result(new TargetUrl(scheme, host.get(), port, explicit, userInfo, written, rest), null);
    }

    /** The WHATWG host parser for a bracketed host: IPv6 text without a zone id; RFC 5952 text, or empty. */
    private static Optional<String> parseIpv6Host(String inner) {
        if (inner.indexOf('%') >= 0) {
            return Optional.empty(); // WHATWG URLs carry no zone ids
        }
        return IpLiterals.tryParse(inner).map(IpAddress::toString);
    }

    /** The WHATWG host parser for special schemes, brackets aside; the ASCII host, or empty on failure. */
    private static Optional<String> parseHost(String input) {
        String decoded = percentDecode(input);
        Optional<String> mapped = Hostnames.toAscii(decoded);
        if (mapped.isEmpty()) {
            return Optional.empty();
        }
        String ascii = mapped.get().toLowerCase(Locale.ROOT);
        if (ascii.isEmpty()) {
            return Optional.empty();
        }
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            if (c <= 0x20 || c == 0x7f || "#%/:<>?@[\\]^|".indexOf(c) >= 0) {
                return Optional.empty();
            }
        }
        if (WhatwgIpv4Literals.endsInANumber(ascii)) {
            return WhatwgIpv4Literals.tryParse(ascii).map(IpAddress::toString);
        }
        return Optional.of(ascii);
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && IpLiterals.isAsciiHex((char) bytes[i + 1])
                    && IpLiterals.isAsciiHex((char) bytes[i + 2])) {
                out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * What a WHATWG URL parser does to its input first: leading and trailing C0 controls and
     * spaces removed, and every tab and newline anywhere.
     */
    public static String stripControlsAndSpaces(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) <= 0x20) {
            start++;
        }
        while (end > start && text.charAt(end - 1) <= 0x20) {
            end--;
        }
        StringBuilder sb = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isScheme(String s) {
        if (s.isEmpty() || !Character.isLetter(s.charAt(0)) || s.charAt(0) >= 0x80) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IpLiterals.isAsciiDigit(c)
                    || c == '+' || c == '-' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static int defaultPort(String scheme) {
        return scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
    }

    public String scheme() {
        return scheme;
    }

    /** The ASCII host: a domain, dotted-decimal IPv4, or IPv6 text without brackets. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** True when the URL named a port other than its scheme's default. */
    public boolean hasExplicitPort() {
        return explicitPort;
    }

    public boolean hasUserInfo() {
        return userInfo != null;
    }

    /** The userinfo as written (still percent-encoded), if the URL has one; never print it. */
    public Optional<String> rawUserInfo() {
        return Optional.ofNullable(userInfo);
    }

    /** True when a port was written out, even the scheme's default ({@code http://p:80}). */
    public boolean hasWrittenPort() {
        return portWritten;
    }

    /** Path and query, starting with {@code /}; no fragment. */
    public String pathAndQuery() {
        return pathAndQuery;
    }

    /** The URL without credentials or fragment. */
    @Override
    public String toString() {
        return scheme + "://" + Hostnames.bracketIpv6(host) + (explicitPort ? ":" + port : "") + pathAndQuery;
    }
}
