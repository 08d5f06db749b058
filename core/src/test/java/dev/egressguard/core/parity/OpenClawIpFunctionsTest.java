package dev.egressguard.core.parity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenClawIpFunctionsTest {

    @ParameterizedTest(name = "normalize \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "[::FFFF:127.0.0.1] | 127.0.0.1",
            "::ffff:7f00:1      | 127.0.0.1",
            "::127.0.0.1        | 127.0.0.1",
            "::7f00:1           | ::7f00:1",
            "' 1.2.3.4 '        | 1.2.3.4",
            "fe80::1%ETH0       | fe80::1%eth0",
            "::                 | ::",
            "2001:DB8::0:1      | 2001:db8::1",
            "::ffff:0:1.2.3.4   | ::ffff:0:102:304",
            "01.2.3.4           | -",
            "example.com        | -",
            "0x7f.1             | -",
    })
    void normalize(String text, String expected) {
        assertThat(OpenClawIpFunctions.normalizeIpAddress(text).orElse(null)).isEqualTo(expected);
    }


    @ParameterizedTest(name = "isLegacyIpv4Literal(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', value = {
            "0177.0.0.1  | true",
            "127.1       | true",
            "127.0.1     | true",
            "2130706433  | true",
            "0x7f000001  | true",
            "0X7F000001  | true",
            "0x7f.1      | true",
            "999.1.1.1   | true",
            "08.0.0.1    | true",
            "1.2.3.04    | true",
            "1           | true",
            "0x          | true",
            "1.2.3.4     | false",
            "0.0.0.0     | false",
            "1.2.3.4.5   | false",
            "127..0.1    | false",
            "1.2.3.4.    | false",
            ".1.2.3      | false",
            "0x7g.1      | false",
            "abc         | false",
            "example.com | false",
            "::1         | false",
            "''          | false",
    })
    void isLegacyIpv4Literal(String text, boolean expected) {
        assertThat(OpenClawIpFunctions.isLegacyIpv4Literal(text)).isEqualTo(expected);
    }

    @Test
    void nullIsNeitherAnAddressNorALegacySpelling() {
        assertThat(OpenClawIpFunctions.isLegacyIpv4Literal(null)).isFalse();
        assertThat(OpenClawIpFunctions.normalizeIpAddress(null)).isEmpty();
    }
}
