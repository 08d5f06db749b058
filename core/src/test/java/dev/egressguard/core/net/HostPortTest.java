package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @ParameterizedTest(name = "\"{0}\" -> host \"{1}\" port {2}")
    @CsvSource(delimiter = '|', value = {
            "example.com:443         | example.com    | 443   | example.com:443",
            "example.com:1           | example.com    | 1     | example.com:1",
            "example.com:65535       | example.com    | 65535 | example.com:65535",
            "EXAMPLE.com:8080        | EXAMPLE.com    | 8080  | EXAMPLE.com:8080",
            "127.0.0.1:80            | 127.0.0.1      | 80    | 127.0.0.1:80",
            "[::1]:443               | ::1            | 443   | [::1]:443",
            "[fe80::1%eth0]:443      | fe80::1%eth0   | 443   | [fe80::1%eth0]:443",
            "[2001:db8::1]:8443      | 2001:db8::1    | 8443  | [2001:db8::1]:8443",
    })
    void parsesAuthorities(String text, String host, int port, String printed) {
        HostPort hp = HostPort.parseAuthority(text);
        assertThat(hp.host()).isEqualTo(host);
        assertThat(hp.port()).isEqualTo(port);
        assertThat(hp.hasPort()).isTrue();
        assertThat(hp.toString()).isEqualTo(printed);
        assertThat(hp).isEqualTo(HostPort.of(host, port)).hasSameHashCodeAs(HostPort.of(host, port));
    }

    @ParameterizedTest(name = "rejects \"{0}\"")
    @ValueSource(strings = {
            "", "example.com", "example.com:", ":443", "example.com:0", "example.com:00", "example.com:65536",
            "example.com:99999", "example.com:+80", "example.com:-1", "example.com:080", "example.com:0443",
            "example.com: 80", "example.com:80 ", "example.com:8o", "example.com:4430000", "example.com:0x50",
            "::1:443", "::1", "fe80::1%eth0:443", "a:b:c", "[::1]", "[::1]:", "[::1]x", "[::1]:x", "[::1",
            "[]:80", "[::1]]:80", "[::1]:443:1", "[::1]:0", "[::1]:65536",
    })
    void rejectsBadAuthorities(String text) {
        assertThatThrownBy(() -> HostPort.parseAuthority(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("authority: \"" + text + "\" (expected: host:port with a port 1..65535)");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> HostPort.parseAuthority(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(HostPort.tryParseLenient(null)).isEmpty();
    }

    @ParameterizedTest(name = "lenient \"{0}\" -> host \"{1}\" port {2}")
    @CsvSource(delimiter = '|', value = {
            "example.com        | example.com   | 0",
            "example.com:80     | example.com   | 80",
            "::1                | ::1           | 0",
            "fe80::1%eth0       | fe80::1%eth0  | 0",
            "[::1]              | ::1           | 0",
            "[::1]:80           | ::1           | 80",
            "2001:db8::1:443    | 2001:db8::1:443 | 0",
    })
    void lenientAllowsAMissingPort(String text, String host, int port) {
        HostPort hp = HostPort.tryParseLenient(text).orElseThrow();
        assertThat(hp.host()).isEqualTo(host);
        assertThat(hp.port()).isEqualTo(port);
        assertThat(hp.hasPort()).isEqualTo(port != HostPort.NO_PORT);
    }

    @ParameterizedTest(name = "lenient rejects \"{0}\"")
    @ValueSource(strings = {"", "example.com:", "example.com:0", "example.com:65536", "[::1]:", "[::1", "[]", ":80",
            // several colons but no IPv6 literal: not a bare host (a fuzz finding: it printed as text that did not parse back)
            "http://[fe80::1%25eth0]/", "a:b:c", "[::1]:80:",
            // a bracket inside the brackets (a fuzz finding: [[0.6.3030.1] printed as text that did not parse back)
            "[[0.6.3030.1]", "[[::1]]"})
    void lenientStillRejectsBadPorts(String text) {
        assertThat(HostPort.tryParseLenient(text)).isEmpty();
    }

    @ParameterizedTest(name = "tryParseAuthority agrees with parseAuthority on \"{0}\"")
    @ValueSource(strings = {"example.com:443", "[::1]:443", "[fe80::1%eth0]:443", "example.com", "example.com:0", "::1:443", "[::1]", ""})
    void tryParseAuthorityIsParseAuthorityWithoutTheThrow(String text) {
        HostPort parsed;
        try {
            parsed = HostPort.parseAuthority(text);
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        assertThat(HostPort.tryParseAuthority(text).orElse(null)).isEqualTo(parsed);
        assertThat(HostPort.tryParseAuthority(null)).isEmpty();
    }

    @ParameterizedTest(name = "listen \"{0}\" -> host \"{1}\" port {2}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:0       | 127.0.0.1   | 0",
            "127.0.0.1:3128    | 127.0.0.1   | 3128",
            "[::1]:65535       | ::1         | 65535",
            "localhost:8080    | localhost   | 8080",
    })
    void listenAddressesMayAskForAnyPort(String text, String host, int port) {
        assertThat(HostPort.tryParseListen(text)).contains(HostPort.of(host, port));
    }

    @ParameterizedTest(name = "listen rejects \"{0}\"")
    @ValueSource(strings = {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:00", "127.0.0.1:03128", "127.0.0.1:65536", "127.0.0.1:-1",
            "::1:3128", "[::1]", "[::1]:", ":3128", "[]:3128", "[::1]x:3128"})
    void listenAddressesNeedAPort(String text) {
        assertThat(HostPort.tryParseListen(text)).isEmpty();
    }

    @ParameterizedTest(name = "with default port \"{0}\" -> host \"{1}\" port {2}")
    @CsvSource(delimiter = '|', value = {
            "example.com        | example.com | 80",
            "example.com:       | example.com | 80",
            "example.com:8080   | example.com | 8080",
            "[::1]              | ::1         | 80",
            "[::1]:             | ::1         | 80",
            "[::1]:443          | ::1         | 443",
    })
    void absoluteFormAuthoritiesFallBackToTheDefaultPort(String text, String host, int port) {
        assertThat(HostPort.tryParseWithDefaultPort(text, 80)).contains(HostPort.of(host, port));
    }

    @ParameterizedTest(name = "with default port rejects \"{0}\"")
    @ValueSource(strings = {"", ":80", "::1", "a:b:c", "[]", "[::1", "[::1]x", "example.com:0", "example.com:080", "example.com:65536",
            "example.com:x"})
    void absoluteFormAuthoritiesStillRefuseBadShapes(String text) {
        assertThat(HostPort.tryParseWithDefaultPort(text, 80)).isEmpty();
    }

    @ParameterizedTest(name = "split \"{0}\" bareIpv6={1} -> {2} {3} {4}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "h            | false | h        | false | -",
            "h:           | false | h        | false | ''",
            "h:x          | false | h        | false | x",
            "[::1]:80     | false | ::1      | true  | 80",
            "[v1.x]       | false | v1.x     | true  | -",
            "::1          | true  | ::1      | false | -",
    })
    void splitKeepsThePortTextAsWritten(String text, boolean bareIpv6, String host, boolean bracketed, String port) {
        assertThat(HostPort.split(text, bareIpv6)).isEqualTo(new HostPort.Parts(host, bracketed, port));
    }

    @ParameterizedTest(name = "parseDecimalPort(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', value = {
            "0           | 0",
            "0080        | 80",
            "65535       | 65535",
            "0000065535  | 65535",
            "00000065535 | -1",
            "65536       | -1",
            "''          | -1",
            "+1          | -1",
    })
    void urlPortsMayHaveLeadingZeros(String text, int expected) {
        assertThat(HostPort.parseDecimalPort(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "parsePort(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', value = {
            "1      | 1",
            "80     | 80",
            "65535  | 65535",
            "65536  | -1",
            "99999  | -1",
            "0      | -1",
            "080    | -1",
            "+80    | -1",
            "-80    | -1",
            "8 0    | -1",
            "''     | -1",
            "123456 | -1",
            "٨٠     | -1",
    })
    void parsePort(String text, int expected) {
        assertThat(HostPort.parsePort(text)).isEqualTo(expected);
    }

    @Test
    void ofValidatesThePort() {
        assertThat(HostPort.of("h", 0).hasPort()).isFalse();
        assertThat(HostPort.of("h", 0).toString()).isEqualTo("h");
        assertThat(HostPort.of("::1", 0).toString()).isEqualTo("[::1]");
        assertThatThrownBy(() -> HostPort.of("h", 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port: 65536 (expected: 0..65535)");
        assertThatThrownBy(() -> HostPort.of("h", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostPort.of(null, 80)).isInstanceOf(NullPointerException.class);
        assertThat(HostPort.of("a", 80)).isNotEqualTo(HostPort.of("a", 81)).isNotEqualTo(HostPort.of("b", 80));
    }
}
