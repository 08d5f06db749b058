package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The WHATWG URL Standard's IPv4 parser: legacy spellings the way browsers read them. */
class WhatwgIpv4LiteralsTest {

    @ParameterizedTest(name = "whatwg \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', nullValues = "FAIL", value = {
            "0x7f000001                  | 127.0.0.1",
            "2130706433                  | 127.0.0.1",
            "127.1                       | 127.0.0.1",
            "127.0.1                     | 127.0.0.1",
            "0177.0.0.1                  | 127.0.0.1",
            "0x7f.1                      | 127.0.0.1",
            "0X7F.1                      | 127.0.0.1",
            "017700000001                | 127.0.0.1",
            "127.0.0.1                   | 127.0.0.1",
            "127.0.0.1.                  | 127.0.0.1",
            "0                           | 0.0.0.0",
            "00                          | 0.0.0.0",
            "0x                          | 0.0.0.0",
            "0x.0x.0x.0x                 | 0.0.0.0",
            "000000000000000000000000001 | 0.0.0.1",
            "1.16777215                  | 1.255.255.255",
            "1.2.65535                   | 1.2.255.255",
            "4294967295                  | 255.255.255.255",
            "0xffffffff                  | 255.255.255.255",
            "0xff.0xff.0xff.0xff         | 255.255.255.255",
            "0377.0377.0377.0377         | 255.255.255.255",
            "10.0x0a.012.10              | 10.10.10.10",
            "127.0.0.1..                 | FAIL",
            "''                          | FAIL",
            ".                           | FAIL",
            "08                          | FAIL",
            "09.0.0.1                    | FAIL",
            "1.2.3.4.5                   | FAIL",
            "256.0.0.1                   | FAIL",
            "0400.0.0.0                  | FAIL",
            "1.2.3.256                   | FAIL",
            "1.16777216                  | FAIL",
            "1.2.65536                   | FAIL",
            "4294967296                  | FAIL",
            "0x100000000                 | FAIL",
            "99999999999999999999        | FAIL",
            "1.2.3.-4                    | FAIL",
            "1..2                        | FAIL",
            ".1                          | FAIL",
            "0x7g.1                      | FAIL",
            "1a                          | FAIL",
            "' 1.2.3.4'                  | FAIL",
            "example.com                 | FAIL",
    })
    void whatwgIpv4Parser(String text, String expected) {
        assertThat(WhatwgIpv4Literals.tryParse(text).map(IpAddress::toString).orElse(null)).isEqualTo(expected);
    }

    @Test
    void whatwgParserHandlesNull() {
        assertThat(WhatwgIpv4Literals.tryParse(null)).isEmpty();
    }
}
