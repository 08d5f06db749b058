package dev.egressguard.core.net;

import java.util.Objects;
import java.util.Optional;

/**
 * A host (as written, brackets removed) and a port. The one place that splits {@code host:port}
 * text, for each form that reads it: {@link #parseAuthority} the authority-form of
 * {@code CONNECT host:port}, {@link #tryParseListen} a listen address (port 0 allowed),
 * {@link #tryParseWithDefaultPort} the authority of an absolute-form URI, {@link #tryParseLenient}
 * what an operator types, and (through {@link #split}) {@link TargetUrl}'s URL authority. The host
 * is not validated here; a policy does that.
 */
public final class HostPort {
    /** Port value for "not given". */
    public static final int NO_PORT = 0;

    private final String host;
    private final int port;

    private HostPort(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public static HostPort of(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        return new HostPort(host, port);
    }

    /**
     * {@code host:port} or {@code [v6]:port}, port required and 1..65535, as in CONNECT.
     * Throws {@link IllegalArgumentException} naming the input.
     */
    public static HostPort parseAuthority(String text) {
        return tryParseAuthority(text).orElseThrow(() -> new IllegalArgumentException(
                "authority: \"" + text + "\" (expected: host:port with a port 1..65535)"));
    }

    /** {@link #parseAuthority}, empty instead of throwing. */
    public static Optional<HostPort> tryParseAuthority(String text) {
        Parts p = split(text, false);
        if (p == null || p.port == null) {
            return Optional.empty();
        }
        return withPort(p.host, parsePort(p.port));
    }

    /**
     * A listen address: {@code host:port} or {@code [v6]:port}, port required and 0..65535
     * ({@code 0}: any free port). The caller decides what host it can bind.
     */
    public static Optional<HostPort> tryParseListen(String text) {
        Parts p = split(text, false);
        if (p == null || p.port == null) {
            return Optional.empty();
        }
        int port = p.port.equals("0") ? 0 : parsePort(p.port);
        return port < 0 ? Optional.empty() : Optional.of(new HostPort(p.host, port));
    }

    /**
     * The authority of an absolute-form URI: {@code host}, {@code host:port}, {@code [v6]} or
     * {@code [v6]:port}; no port, or an empty one ({@code host:}), means {@code defaultPort}.
     */
    public static Optional<HostPort> tryParseWithDefaultPort(String text, int defaultPort) {
        Parts p = split(text, false);
        if (p == null) {
            return Optional.empty();
        }
        return withPort(p.host, p.port == null || p.port.isEmpty() ? defaultPort : parsePort(p.port));
    }

    /**
     * A host with an optional port: {@code host}, {@code host:port}, {@code [v6]},
     * {@code [v6]:port}, or a bare IPv6 literal (several colons, no port; anything else with
     * several colons is refused, so what this accepts prints back as the same text).
     */
    public static Optional<HostPort> tryParseLenient(String text) {
        Parts p = split(text, true);
        if (p == null) {
            return Optional.empty();
        }
        return p.port == null ? Optional.of(new HostPort(p.host, NO_PORT)) : withPort(p.host, parsePort(p.port));
    }

    private static Optional<HostPort> withPort(String host, int port) {
        return port < 1 ? Optional.empty() : Optional.of(new HostPort(host, port));
    }

    /**
     * Authority text split, nothing checked but the shape: the host without its brackets (never
     * empty), whether it had them, and the port text after the colon (null when there is no colon).
     */
    record Parts(String host, boolean bracketed, String port) {}

    /**
     * Splits {@code host[:port]} or {@code [host][:port]}; null when the shape is wrong (nothing
     * or junk after {@code ]}, a {@code [} inside the brackets, an empty host). Unbracketed text with several colons is a bare IPv6
     * literal when {@code bareIpv6} and it parses as one (the host, no port), otherwise wrong.
     */
    static Parts split(String text, boolean bareIpv6) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Parts p;
        if (text.charAt(0) == '[') {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            String rest = text.substring(close + 1);
            if (!rest.isEmpty() && rest.charAt(0) != ':') {
                return null;
            }
            String inside = text.substring(1, close);
            if (inside.indexOf('[') >= 0) {
                return null; // [[x] would print back as [x, which does not split again
            }
            p = new Parts(inside, true, rest.isEmpty() ? null : rest.substring(1));
        } else {
            int first = text.indexOf(':');
            if (first < 0) {
                p = new Parts(text, false, null);
            } else if (first == text.lastIndexOf(':')) {
                p = new Parts(text.substring(0, first), false, text.substring(first + 1));
            } else if (bareIpv6 && IpLiterals.tryParse(text).isPresent()) {
                p = new Parts(text, false, null);
            } else {
                return null;
            }
        }
        return p.host.isEmpty() ? null : p;
    }

    /** Decimal 1..65535 with no sign, spaces or leading zeros; -1 otherwise. */
    public static int parsePort(String text) {
        if (text.isEmpty() || text.charAt(0) == '0') {
            return -1;
        }
        return parseDecimalPort(text);
    }

    /**
     * ASCII decimal digits, leading zeros allowed (at most ten characters), with a value
     * 0..65535, as a URL's port; -1 otherwise.
     */
    static int parseDecimalPort(String text) {
        if (text.isEmpty() || text.length() > 10) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 65535 ? (int) v : -1;
    }

    public String host() {
        return host;
    }

    /** The port, or {@link #NO_PORT} when none was given. */
    public int port() {
        return port;
    }

    public boolean hasPort() {
        return port != NO_PORT;
    }

    @Override
    public String toString() {
        String h = Hostnames.bracketIpv6(host);
        return hasPort() ? h + ":" + port : h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostPort && ((HostPort) o).host.equals(host) && ((HostPort) o).port == port;
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }
}
