package dev.egressguard.core.net;

import java.util.Objects;
import java.util.Optional;

/**
 * A host (as written, brackets removed) and a port. {@link #parseAuthority} reads the
 * authority-form of {@code CONNECT host:port}; the host is not validated here, a policy does that.
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
        return tryParse(text, true).orElseThrow(() -> new IllegalArgumentException(
                "authority: \"" + text + "\" (expected: host:port with a port 1..65535)"));
    }

    /**
     * A host with an optional port: {@code host}, {@code host:port}, {@code [v6]},
     * {@code [v6]:port}, or a bare IPv6 literal (several colons, no port).
     */
    public static Optional<HostPort> tryParseLenient(String text) {
        return tryParse(text, false);
    }

    private static Optional<HostPort> tryParse(String text, boolean portRequired) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        String host;
        String portText = null;
        if (text.charAt(0) == '[') {
            int close = text.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    return Optional.empty();
                }
                portText = rest.substring(1);
            }
        } else {
            int first = text.indexOf(':');
            int last = text.lastIndexOf(':');
            if (first >= 0 && first == last) {
                host = text.substring(0, first);
                portText = text.substring(first + 1);
            } else if (first >= 0 && !portRequired) {
                host = text; // a bare IPv6 literal
            } else if (first < 0) {
                host = text;
            } else {
                return Optional.empty();
            }
        }
        if (host.isEmpty()) {
            return Optional.empty();
        }
        if (portText == null) {
            return portRequired ? Optional.empty() : Optional.of(new HostPort(host, NO_PORT));
        }
        int port = parsePort(portText);
        return port < 1 ? Optional.empty() : Optional.of(new HostPort(host, port));
    }

    /** Decimal 1..65535 with no sign, spaces or leading zeros; -1 otherwise. */
    public static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || text.charAt(0) == '0') {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 65535 ? v : -1;
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
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
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
