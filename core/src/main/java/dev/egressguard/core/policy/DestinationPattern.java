package dev.egressguard.core.policy;

import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import java.util.Objects;
import java.util.Optional;

/**
 * One pattern of a {@code destinations} entry: what it names, and optionally on which ports.
 *
 * <ul>
 *   <li>{@code api.example.com}: that name; {@code *.example.com}: names under it, not
 *       {@code example.com} itself. Names are matched in the form the classifier judges: lowercase,
 *       no trailing dot, internationalised names as punycode ({@code bücher.example} is
 *       {@code xn--bcher-kva.example}).
 *   <li>{@code 93.184.216.34}, {@code 2001:db8::1}, {@code 203.0.113.0/24}, {@code 2001:db8::/32}:
 *       IP literal targets in that block (an IPv4 block also covers the IPv4-mapped spelling). An
 *       IP pattern never matches a hostname target, whatever it resolves to, and a name pattern
 *       never matches an IP literal target.
 *   <li>{@code *}: every destination.
 *   <li>Each with an optional port ({@code :443}) or port range ({@code :8000-8999}); IPv6 then
 *       in brackets: {@code [2001:db8::1]:443}, {@code [2001:db8::/32]:443}. Without a port, every
 *       port matches.
 * </ul>
 *
 * Patterns only select; they never open an address the denylist denies.
 */
public final class DestinationPattern {
    private static final String EXPECTED = "a hostname, *.suffix, IP, CIDR or *, with an optional :port or :low-high";
    private static final String EXPECTED_PORT = "a port 1..65535 or a range low-high after ':'";

    private final String text;
    private final HostPattern host;
    private final IpRange range;
    private final int firstPort;
    private final int lastPort;

    private DestinationPattern(String text, HostPattern host, IpRange range, int firstPort, int lastPort) {
        this.text = text;
        this.host = host;
        this.range = range;
        this.firstPort = firstPort;
        this.lastPort = lastPort;
    }

    /** Parses a pattern; throws {@link IllegalArgumentException} with {@code "text" (expected: …)}. */
    public static DestinationPattern parse(String text) {
        Parsed p = read(text);
        if (p.problem != null) {
            throw new IllegalArgumentException("\"" + text + "\" (expected: " + p.problem + ")");
        }
        return p.pattern;
    }

    public static Optional<DestinationPattern> tryParse(String text) {
        return Optional.ofNullable(read(text).pattern);
    }

    /** What is wrong with {@code text} as a pattern, phrased as the expectation; empty when valid. */
    public static Optional<String> problem(String text) {
        return Optional.ofNullable(read(text).problem);
    }

    /** The outcome of reading a pattern: exactly one of the two is set. */
    private static final class Parsed {
        final DestinationPattern pattern;
        final String problem;

        private Parsed(DestinationPattern pattern, String problem) {
            this.pattern = pattern;
            this.problem = problem;
        }

        static Parsed of(DestinationPattern pattern) {
            return new Parsed(pattern, null);
        }

        static Parsed problem(String problem) {
            return new Parsed(null, problem);
        }
    }

    private static Parsed read(String input) {
        if (input == null || input.isBlank()) {
            return Parsed.problem(EXPECTED);
        }
        String s = input.strip();
        String target;
        String portText = null;
        boolean bracketed = s.charAt(0) == '[';
        if (bracketed) {
            int close = s.indexOf(']');
            if (close < 0) {
                return Parsed.problem(EXPECTED + "; a '[' without its ']'");
            }
            target = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    return Parsed.problem(EXPECTED + "; only :port may follow ']'");
                }
                portText = rest.substring(1);
            }
        } else {
            int first = s.indexOf(':');
            if (first >= 0 && first == s.lastIndexOf(':')) {
                target = s.substring(0, first);
                portText = s.substring(first + 1);
            } else {
                target = s; // no port, or a bare IPv6 literal or block (a port needs brackets then)
            }
        }
        int[] ports = {0, 0};
        if (portText != null) {
            ports = readPorts(portText);
            if (ports == null) {
                return Parsed.problem(EXPECTED_PORT);
            }
        }
        return readTarget(target, bracketed, ports[0], ports[1]);
    }

    private static Parsed readTarget(String target, boolean bracketed, int firstPort, int lastPort) {
        String portSuffix = firstPort == 0 ? "" : ":" + (firstPort == lastPort ? firstPort : firstPort + "-" + lastPort);
        if (target.equals("*")) {
            return bracketed ? Parsed.problem(EXPECTED) : Parsed.of(new DestinationPattern("*" + portSuffix, null, null, firstPort, lastPort));
        }
        boolean ipShaped = target.indexOf('/') >= 0 || target.indexOf(':') >= 0 || IpLiterals.looksLikeIpv4Literal(target);
        if (ipShaped) {
            Optional<String> problem = IpRange.problem(target);
            if (problem.isPresent()) {
                return Parsed.problem(target.indexOf('/') >= 0 || target.indexOf(':') >= 0 ? problem.get()
                        : "a canonical IPv4 address (four decimal octets, no octal, hex or short forms)");
            }
            IpRange range = IpRange.parse(target);
            boolean v6 = !range.isIpv4();
            if (bracketed && !v6) {
                return Parsed.problem("an IPv4 address or block without brackets");
            }
            String body = range.isSingleAddress() ? range.first().toString() : range.toString();
            String text = (firstPort == 0 ? body : Hostnames.bracketIpv6(body)) + portSuffix;
            return Parsed.of(new DestinationPattern(text, null, range, firstPort, lastPort));
        }
        if (bracketed) {
            return Parsed.problem("a hostname without brackets");
        }
        Optional<String> problem = HostPattern.problem(target);
        if (problem.isPresent()) {
            return Parsed.problem(problem.get().startsWith("a hostname; write IP") ? EXPECTED : problem.get() + " (or an IP, CIDR or *)");
        }
        HostPattern host = HostPattern.parse(target);
        return Parsed.of(new DestinationPattern(host + portSuffix, host, null, firstPort, lastPort));
    }

    /** {@code 443} or {@code 8000-8999}: strict decimal ports 1..65535, first <= last; null otherwise. */
    private static int[] readPorts(String text) {
        int dash = text.indexOf('-');
        int first = HostPort.parsePort(dash < 0 ? text : text.substring(0, dash));
        int last = dash < 0 ? first : HostPort.parsePort(text.substring(dash + 1));
        return first < 1 || last < 1 || first > last ? null : new int[] {first, last};
    }

    /**
     * True when this pattern names the target: {@code host} in canonical form (as
     * {@link dev.egressguard.core.net.Hostnames#canonicalize} gives it), {@code literal} its address
     * when it is an IP literal (null for a name), {@code port} the destination port (0 when unknown,
     * which only a pattern without a port matches).
     */
    public boolean matches(String host, IpAddress literal, int port) {
        if (firstPort != 0 && (port < firstPort || port > lastPort)) {
            return false;
        }
        if (this.host != null) {
            return literal == null && this.host.matches(host);
        }
        if (range != null) {
            return literal != null && range.contains(literal);
        }
        return true;
    }

    /** True when every destination this pattern matches, {@code other} matches too. */
    public boolean isCoveredBy(DestinationPattern other) {
        if (other.firstPort != 0 && (firstPort == 0 || firstPort < other.firstPort || lastPort > other.lastPort)) {
            return false;
        }
        if (other.isAny()) {
            return true;
        }
        if (host != null && other.host != null) {
            return host.isCoveredBy(other.host);
        }
        return range != null && other.range != null && other.range.contains(range);
    }

    /** True for {@code *} (with or without a port): every host. */
    public boolean isAny() {
        return host == null && range == null;
    }

    /** The name pattern, when this is one. */
    public Optional<HostPattern> host() {
        return Optional.ofNullable(host);
    }

    /** The address block, when this is an IP or CIDR pattern. */
    public Optional<IpRange> range() {
        return Optional.ofNullable(range);
    }

    public boolean hasPort() {
        return firstPort != 0;
    }

    /** The first port of the pattern's range; 0 when it has none (every port). */
    public int firstPort() {
        return firstPort;
    }

    /** The last port of the pattern's range; 0 when it has none (every port). */
    public int lastPort() {
        return lastPort;
    }

    /** The canonical text: {@code *.example.com:443}, {@code [2001:db8::/32]:443}, {@code 10.0.0.0/8}. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DestinationPattern && ((DestinationPattern) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }
}
