package dev.egressguard.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** (pattern, target as written, port) -> matches; patterns' canonical text; every problem. */
class DestinationPatternTest {
    private static boolean matches(DestinationPattern p, String target, int port) {
        String host = Hostnames.canonicalize(target).orElseThrow();
        IpAddress literal = IpLiterals.tryParse(host).orElse(null);
        return p.matches(host, literal, port);
    }

    @ParameterizedTest(name = "{0} vs {1}:{2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // a suffix wildcard: names under the suffix, never the suffix itself or a look-alike
            "*.github.com               | api.github.com          | 443   | true",
            "*.github.com               | a.b.github.com          | 443   | true",
            "*.github.com               | github.com              | 443   | false",
            "*.github.com               | evilgithub.com          | 443   | false",
            "*.github.com               | github.com.evil.example | 443   | false",
            "github.com                 | api.github.com          | 443   | false",
            // names as the classifier reads them: case, trailing dots, IDNA (full-width dot too)
            "Example.COM.               | EXAMPLE.com.            | 80    | true",
            "example.com                | example.com..           | 80    | true",
            "bücher.example             | xn--bcher-kva.example   | 443   | true",
            "xn--bcher-kva.example      | BÜCHER.example          | 443   | true",
            "*.bücher.example           | www.bücher。example     | 443   | true",
            // ports and port ranges, at their edges; an unknown port (0) matches only portless patterns
            "example.com:443            | example.com             | 443   | true",
            "example.com:443            | example.com             | 80    | false",
            "example.com:443            | example.com             | 0     | false",
            "example.com                | example.com             | 0     | true",
            "example.com:8000-8999      | example.com             | 7999  | false",
            "example.com:8000-8999      | example.com             | 8000  | true",
            "example.com:8000-8999      | example.com             | 8999  | true",
            "example.com:8000-8999      | example.com             | 9000  | false",
            "*.example.com:1-65535      | a.example.com           | 65535 | true",
            // IP and CIDR patterns match IP literal targets only, at the block's edges
            "93.184.216.34              | 93.184.216.34           | 443   | true",
            "93.184.216.34              | 93.184.216.35           | 443   | false",
            "93.184.216.34              | example.com             | 443   | false",
            "93.184.216.34              | ::ffff:93.184.216.34    | 443   | true",
            "203.0.113.0/24             | 203.0.113.0             | 443   | true",
            "203.0.113.0/24             | 203.0.113.255           | 443   | true",
            "203.0.113.0/24             | 203.0.112.255           | 443   | false",
            "203.0.113.0/24             | 203.0.114.0             | 443   | false",
            "10.0.0.0/8:443             | 10.255.255.255          | 443   | true",
            "10.0.0.0/8:443             | 10.255.255.255          | 444   | false",
            "0.0.0.0/0                  | 8.8.8.8                 | 53    | true",
            "0.0.0.0/0                  | dns.google              | 53    | false",
            // IPv6 literals: brackets in targets and patterns, any spelling
            "[2001:db8::1]:443          | [2001:DB8:0::1]         | 443   | true",
            "[2001:db8::1]:443          | 2001:db8::1             | 80    | false",
            "2001:db8::1                | [2001:db8::1]           | 8080  | true",
            "2001:db8::/32              | 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff | 443 | true",
            "2001:db8::/32              | 2001:db9::              | 443   | false",
            "[2001:db8::/32]:443        | 2001:db8::5             | 443   | true",
            "[2001:db8::/32]:443        | 2001:db8::5             | 80    | false",
            "2001:db8::1                | example.com             | 443   | false",
            // a host pattern never matches an IP literal target; * matches both
            "*                          | example.com             | 443   | true",
            "*                          | 10.0.0.1                | 22    | true",
            "*:443                      | 2001:db8::1             | 443   | true",
            "*:443                      | example.com             | 80    | false",
    })
    void matches(String pattern, String target, int port, boolean expected) {
        assertThat(matches(DestinationPattern.parse(pattern), target, port)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "API.Example.COM.:443         | api.example.com:443",
            "*.GitHub.com                 | *.github.com",
            "bücher.example               | xn--bcher-kva.example",
            "'  pypi.org  '               | pypi.org",
            "[2001:DB8::1]:443            | [2001:db8::1]:443",
            "2001:db8:0::1                | 2001:db8::1",
            "[2001:db8::1]                | 2001:db8::1",
            "[2001:db8::/32]:8000-8999    | [2001:db8::/32]:8000-8999",
            "10.0.0.0/8:443               | 10.0.0.0/8:443",
            "1.2.3.4/32                   | 1.2.3.4",
            "*:443                        | *:443",
            "example.com:80-80            | example.com:80",
            "::ffff:1.2.3.4               | ::ffff:1.2.3.4",
    })
    void textIsCanonical(String pattern, String text) {
        String expected = text;
        DestinationPattern p = DestinationPattern.parse(pattern);
        assertThat(p.toString()).isEqualTo(expected);
        assertThat(DestinationPattern.parse(expected)).isEqualTo(p).hasSameHashCodeAs(p);
        assertThat(DestinationPattern.tryParse(pattern)).contains(p);
        assertThat(DestinationPattern.problem(pattern)).isEmpty();
    }

    @ParameterizedTest(name = "problem(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', value = {
            "''                      | a hostname, *.suffix, IP, CIDR or *, with an optional :port or :low-high",
            "example.com:0           | a port 1..65535 or a range low-high after ':'",
            "example.com:65536       | a port 1..65535 or a range low-high after ':'",
            "example.com:443-80      | a port 1..65535 or a range low-high after ':'",
            "example.com:0443        | a port 1..65535 or a range low-high after ':'",
            "example.com:            | a port 1..65535 or a range low-high after ':'",
            "example.com:https       | a port 1..65535 or a range low-high after ':'",
            "example.com:80-         | a port 1..65535 or a range low-high after ':'",
            "*.*.example             | a hostname or *.suffix; '*' is only allowed as a leading \"*.\" (or an IP, CIDR or *)",
            "api.*.example           | a hostname or *.suffix; '*' is only allowed as a leading \"*.\" (or an IP, CIDR or *)",
            "exa mple.com            | a hostname or *.suffix of letters, digits, '-' and '_' (or an IP, CIDR or *)",
            "127.1                   | a canonical IPv4 address (four decimal octets, no octal, hex or short forms)",
            "0x7f000001              | a canonical IPv4 address (four decimal octets, no octal, hex or short forms)",
            "010.0.0.1:443           | a canonical IPv4 address (four decimal octets, no octal, hex or short forms)",
            "10.0.0.1/8              | the network address 10.0.0.0/8; host bits are set",
            "10.0.0.0/33             | prefix length 0..32",
            "2001:db8::/129          | prefix length 0..128",
            "[10.0.0.1]:443          | an IPv4 address or block without brackets",
            "[example.com]:443       | a hostname without brackets",
            "[2001:db8::1            | a hostname, *.suffix, IP, CIDR or *, with an optional :port or :low-high; a '[' without its ']'",
            "[2001:db8::1]443        | a hostname, *.suffix, IP, CIDR or *, with an optional :port or :low-high; only :port may follow ']'",
            "fe80::1%eth0            | an address without a zone id",
            "[*]:443                 | a hostname, *.suffix, IP, CIDR or *, with an optional :port or :low-high",
            "１２７.０.０.１             | a hostname, *.suffix, IP, CIDR or *, with an optional :port or :low-high",
    })
    void problems(String pattern, String problem) {
        assertThat(DestinationPattern.problem(pattern)).contains(problem);
        assertThat(DestinationPattern.tryParse(pattern)).isEmpty();
        assertThatThrownBy(() -> DestinationPattern.parse(pattern)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"" + pattern + "\" (expected: " + problem + ")");
    }

    @ParameterizedTest(name = "{0} covered by {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "api.example.com          | *.example.com         | true",
            "*.a.example.com          | *.example.com         | true",
            "*.example.com            | *.example.com         | true",
            "example.com              | *.example.com         | false",
            "*.example.com            | api.example.com       | false",
            "api.example.com:443      | api.example.com       | true",
            "api.example.com          | api.example.com:443   | false",
            "api.example.com:8080-8081 | *.example.com:8000-8999 | true",
            "api.example.com:7000-8081 | *.example.com:8000-8999 | false",
            "anything.example         | *                     | true",
            "10.0.0.0/8               | *                     | true",
            "*                        | *.example.com         | false",
            "10.1.0.0/16              | 10.0.0.0/8            | true",
            "10.0.0.0/8               | 10.1.0.0/16           | false",
            "10.0.0.1                 | example.com           | false",
            "example.com              | 10.0.0.0/8            | false",
            "*:443                    | *                     | true",
            "*                        | *:443                 | false",
    })
    void coverage(String pattern, String other, boolean expected) {
        assertThat(DestinationPattern.parse(pattern).isCoveredBy(DestinationPattern.parse(other))).isEqualTo(expected);
    }
}
