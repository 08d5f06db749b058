package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPatternTest {
    private static final String STAR_ONLY_LEADING = "a hostname or *.suffix; '*' is only allowed as a leading \"*.\"";
    private static final String USE_CIDR = "a hostname; write IP addresses as cidr rules";
    private static final String BAD_CHARS = "a hostname or *.suffix of letters, digits, '-' and '_'";
    private static final String EMPTY = "a hostname or *.suffix";

    @ParameterizedTest(name = "\"{0}\" matches \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
            "*.example.com    | a.example.com        | true",
            "*.example.com    | a.b.example.com      | true",
            "*.example.com    | example.com          | false",
            "*.example.com    | badexample.com       | false",
            "*.example.com    | .example.com         | false",
            "*.example.com    | a.example.com.evil   | false",
            "*.example.com    | a.example.co         | false",
            "example.com      | example.com          | true",
            "example.com      | a.example.com        | false",
            "example.com      | example.co           | false",
            "Example.COM.     | example.com          | true",
            "*.Example.COM.   | api.example.com      | true",
            "bücher.example   | xn--bcher-kva.example | true",
            "*.localhost      | a.localhost          | true",
            "*.localhost      | localhost            | false",
            "localhost        | localhost            | true",
    })
    void matches(String pattern, String host, boolean expected) {
        HostPattern p = HostPattern.parse(pattern);
        assertThat(p.matches(host)).isEqualTo(expected);
        assertThat(p.isWildcard()).isEqualTo(pattern.startsWith("*."));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "Example.COM.      | example.com",
            "*.Example.COM.    | *.example.com",
            "bücher.example    | xn--bcher-kva.example",
            "*.bücher.example  | *.xn--bcher-kva.example",
    })
    void textIsCanonical(String pattern, String text) {
        HostPattern p = HostPattern.parse(pattern);
        assertThat(p.toString()).isEqualTo(text);
        assertThat(p).isEqualTo(HostPattern.parse(text)).hasSameHashCodeAs(HostPattern.parse(text));
        assertThat(HostPattern.tryParse(pattern)).contains(p);
    }

    @ParameterizedTest(name = "problem(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', value = {
            "*                 | STAR",
            "a.*.b             | STAR",
            "*.*.b             | STAR",
            "**.example.com    | STAR",
            "*example.com      | STAR",
            "example.*         | STAR",
            "127.0.0.1         | CIDR",
            "10.0.0.1          | CIDR",
            "::1               | CIDR",
            "[::1]             | CIDR",
            "fe80::1%eth0      | CIDR",
            "0x7f.1            | CIDR",
            "2130706433        | CIDR",
            "*.127.0.0.1       | CIDR",
            "*.1               | CIDR",
            "*.                | CHARS",
            ".example.com      | CHARS",
            "a b               | CHARS",
            "a/b               | CHARS",
            "a@b.example       | CHARS",
            "exa%2fmple.com    | CHARS",
            "''                | EMPTY",
            "'   '             | EMPTY",
    })
    void problems(String pattern, String kind) {
        String expected;
        switch (kind) {
            case "STAR":
                expected = STAR_ONLY_LEADING;
                break;
            case "CIDR":
                expected = USE_CIDR;
                break;
            case "CHARS":
                expected = BAD_CHARS;
                break;
            default:
                expected = EMPTY;
        }
        assertThat(HostPattern.problem(pattern)).contains(expected);
        assertThat(HostPattern.tryParse(pattern)).isEmpty();
        assertThatThrownBy(() -> HostPattern.parse(pattern))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"" + pattern + "\" (expected: " + expected + ")");
    }

    @Test
    void nullHasAProblem() {
        assertThat(HostPattern.problem(null)).contains(EMPTY);
        assertThat(HostPattern.tryParse(null)).isEmpty();
    }

    @ParameterizedTest(name = "\"{0}\" covered by \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
            "a.example.com      | *.example.com    | true",
            "*.a.example.com    | *.example.com    | true",
            "*.example.com      | *.example.com    | true",
            "example.com        | example.com      | true",
            "example.com        | *.example.com    | false",
            "*.example.com      | example.com      | false",
            "*.example.com      | *.a.example.com  | false",
            "a.example.com      | b.example.com    | false",
            "*.example.org      | *.example.com    | false",
            "a.example.com      | a.example.com    | true",
    })
    void isCoveredBy(String pattern, String other, boolean expected) {
        assertThat(HostPattern.parse(pattern).isCoveredBy(HostPattern.parse(other))).isEqualTo(expected);
    }
}
