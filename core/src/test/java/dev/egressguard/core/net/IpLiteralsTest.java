package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralsTest {

    // ---------------------------------------------------------------------------------------------
    // Strict parsing
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "accept \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "1.2.3.4                                  | 1.2.3.4",
            "0.0.0.0                                  | 0.0.0.0",
            "255.255.255.255                          | 255.255.255.255",
            "127.0.0.1                                | 127.0.0.1",
            "10.0.0.10                                | 10.0.0.10",
            "::                                       | ::",
            "1::                                      | 1::",
            "::1                                      | ::1",
            "0:0:0:0:0:0:0:0                          | ::",
            "0000:0000:0000:0000:0000:0000:0000:0001  | ::1",
            "FE80::1                                  | fe80::1",
            "2001:DB8:0:0:0:0:0:1                     | 2001:db8::1",
            "1:2:3:4:5:6:7:8                          | 1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::                          | 1:2:3:4:5:6:7:0",
            "::2:3:4:5:6:7:8                          | 0:2:3:4:5:6:7:8",
            "::ffff:1.2.3.4                           | ::ffff:1.2.3.4",
            "::FFFF:7f00:1                            | ::ffff:127.0.0.1",
            "::1.2.3.4                                | ::102:304",
            "1:2:3:4:5:6:1.2.3.4                      | 1:2:3:4:5:6:102:304",
            "64:ff9b::8.8.8.8                         | 64:ff9b::8.8.8.8",
            "fe80::1%eth0                             | fe80::1%eth0",
            "fe80::1%eth0.100                         | fe80::1%eth0.100",
            "fe80::1%7                                | fe80::1%7",
            "::ffff:1.2.3.4%eth0                      | ::ffff:1.2.3.4%eth0",
    })
    void acceptsCanonicalLiterals(String text, String formatted) {
        IpAddress a = IpLiterals.tryParse(text).orElseThrow(() -> new AssertionError("rejected " + text));
        assertThat(a.toString()).isEqualTo(formatted);
        assertThat(IpLiterals.parse(text)).isEqualTo(a);
        assertThat(a.isIpv4()).isEqualTo(text.indexOf(':') < 0);
    }

    @Test
    void aPercent25ZoneIsReadAsAZone() {
        // text form, not a URI: "%25" is not decoded here (TargetUrl refuses zones outright)
        IpAddress a = IpLiterals.parse("fe80::1%25eth0");
        assertThat(a.zone()).isPresent();
        assertThat(a.withoutZone()).isEqualTo(IpLiterals.parse("fe80::1"));
    }

    @ParameterizedTest(name = "reject \"{0}\"")
    @ValueSource(strings = {
            "", " ", "01.2.3.4", "1.02.3.4", "1.2.3.04", "00.0.0.0", "0177.0.0.1", "127.1", "127.0.1", "2130706433",
            "0x7f000001", "0x7f.0.0.1", "08.0.0.1", "127..0.1", ".1.2.3.4", "1.2.3.4.", "256.0.0.1", "1.2.3.256",
            "1000.0.0.1", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4.5", "1.2.3.-4", "+1.2.3.4", "1.2.3.4/32",
            "1.2.3.4%eth0", "\uff11.2.3.4", "1.2.3.4\u0000", "a.b.c.d",
            ":::", ":", "1:", ":1", "::1:", ":1::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
            "12345::1", "00000::1", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "2001:db8::1:2:3:4:5:6",
            "g::1", "::ffff:1.2.3.256", "::ffff:1.2.3", "::ffff:01.2.3.4", "::1.2.3.4.5", "1.2.3.4::",
            "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "[::1]", " ::1", "::1 ",
            "fe80::1%", "fe80::1% x", "fe80::1%eth0%1", "fe80::1%e/0", "fe80::1%eth0]", "%eth0",
            "fe80::1%eth0.", "1::%.", // a zone ending in a dot would lose it to a host's trailing-dot strip (fuzz finding)
    })
    void rejectsEverythingElse(String text) {
        assertThat(IpLiterals.tryParse(text)).isEmpty();
        assertThatThrownBy(() -> IpLiterals.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ip: \"" + text + "\" (expected: an IPv4 or IPv6 literal)");
    }

    @Test
    void nullAndOverlongZonesAreRejected() {
        assertThat(IpLiterals.tryParse(null)).isEmpty();
        assertThat(IpLiterals.tryParse("fe80::1%" + "a".repeat(64))).isPresent();
        assertThat(IpLiterals.tryParse("fe80::1%" + "a".repeat(65))).isEmpty();
    }

    @Test
    void isCanonicalIpv4() {
        assertThat(IpLiterals.isCanonicalIpv4("192.168.0.1")).isTrue();
        assertThat(IpLiterals.isCanonicalIpv4("192.168.00.1")).isFalse();
        assertThat(IpLiterals.isCanonicalIpv4("::1")).isFalse();
        assertThat(IpLiterals.isCanonicalIpv4(null)).isFalse();
    }

    @ParameterizedTest(name = "tryParseHost \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "' [::1] '          | ::1",
            "[FE80::1%ETH0]     | fe80::1%eth0",
            "127.0.0.1.         | 127.0.0.1",
            "'  10.0.0.1  '     | 10.0.0.1",
    })
    void tryParseHostNormalisesFirst(String text, String expected) {
        assertThat(IpLiterals.tryParseHost(text)).map(IpAddress::toString).contains(expected);
    }

    @Test
    void tryParseHostStillRefusesLegacySpellings() {
        assertThat(IpLiterals.tryParseHost("0x7f.1")).isEmpty();
        assertThat(IpLiterals.tryParseHost("example.com")).isEmpty();
        assertThat(IpLiterals.tryParseHost(null)).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 5952 text
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "2001:DB8::1                              | 2001:db8::1",
            "2001:0db8:0000:0000:0000:0000:0002:0001  | 2001:db8::2:1",
            // longest run wins
            "2001:db8:0:0:1:0:0:0                     | 2001:db8:0:0:1::",
            "1:0:0:2:0:0:0:3                          | 1:0:0:2::3",
            // first run on a tie
            "2001:db8:0:0:1:0:0:1                     | 2001:db8::1:0:0:1",
            "0:1:0:0:1:0:0:0                          | 0:1:0:0:1::",
            "1:0:0:1:0:0:1:1                          | 1::1:0:0:1:1",
            // a single zero group is never compressed
            "2001:db8:0:1:1:1:1:1                     | 2001:db8:0:1:1:1:1:1",
            "1:2:3:4:5:6:7:0                          | 1:2:3:4:5:6:7:0",
            "0:2:3:4:5:6:7:8                          | 0:2:3:4:5:6:7:8",
            "1:0:1:0:0:0:1:0                          | 1:0:1::1:0",
            "0:0:0:0:0:0:0:0                          | ::",
            "0:0:0:0:0:0:0:1                          | ::1",
            "1:0:0:0:0:0:0:0                          | 1::",
            "0:0:1:0:0:0:0:0                          | 0:0:1::",
            "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789  | abcd:ef01:2345:6789:abcd:ef01:2345:6789",
            "0001:0010:0100:1000::                    | 1:10:100:1000::",
            // mapped and the NAT64 well-known prefix print their IPv4 dotted
            "::ffff:7f00:1                            | ::ffff:127.0.0.1",
            "0:0:0:0:0:ffff:0:0                       | ::ffff:0.0.0.0",
            "64:ff9b::808:808                         | 64:ff9b::8.8.8.8",
            // other embeddings do not
            "::ffff:0:7f00:1                          | ::ffff:0:7f00:1",
            "::7f00:1                                 | ::7f00:1",
            "64:ff9b:1::808:808                       | 64:ff9b:1::808:808",
            "2002:7f00:1::                            | 2002:7f00:1::",
            "fe80::1%eth0                             | fe80::1%eth0",
    })
    void formatsPerRfc5952(String text, String expected) {
        IpAddress a = IpLiterals.parse(text);
        assertThat(a.toString()).isEqualTo(expected);
        assertThat(IpLiterals.parse(expected)).isEqualTo(a);
        assertThat(expected).isEqualTo(expected.toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void uriHostBracketsIpv6AndEscapesTheZone() {
        assertThat(IpLiterals.parse("1.2.3.4").toUriHost()).isEqualTo("1.2.3.4");
        assertThat(IpLiterals.parse("::1").toUriHost()).isEqualTo("[::1]");
        assertThat(IpLiterals.parse("fe80::1%eth0").toUriHost()).isEqualTo("[fe80::1%25eth0]");
    }

    /** An RFC 5952 formatter written independently of {@link IpAddress#toString()}, without the dotted forms. */
    private static String rfc5952(long high, long low) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            long word = i < 4 ? high : low;
            g[i] = (int) (word >>> (48 - 16 * (i % 4))) & 0xffff;
        }
        int bestAt = -1;
        int bestLen = 0;
        for (int start = 0; start < 8; start++) {
            int len = 0;
            while (start + len < 8 && g[start + len] == 0) {
                len++;
            }
            if (len >= 2 && len > bestLen) {
                bestAt = start;
                bestLen = len;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(g[i]));
            if (i < 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    @Test
    void formatThenParseRoundTripsRandomAddresses() {
        Random random = new Random(5952L);
        for (int i = 0; i < 10_000; i++) {
            // random 128-bit values, half of them with random zero groups so that "::" shows up
            long high = random.nextLong();
            long low = random.nextLong();
            if (i % 2 == 1) {
                for (int gi = 0; gi < 8; gi++) {
                    if (random.nextBoolean()) {
                        long mask = ~(0xffffL << (48 - 16 * (gi % 4)));
                        if (gi < 4) {
                            high &= mask;
                        } else {
                            low &= mask;
                        }
                    }
                }
            }
            IpAddress v6 = IpAddress.ofIpv6(high, low);
            String text = v6.toString();
            assertThat(IpLiterals.tryParse(text)).as("parse(%s)", text).contains(v6);
            assertThat(text).doesNotContain(":::").doesNotContainPattern("[A-F]");
            boolean dotted = (high == 0 && (low >>> 32) == 0xffffL) || (high == 0x0064_ff9b_0000_0000L && (low >>> 32) == 0);
            if (!dotted) {
                assertThat(text).as("RFC 5952 text of %s", text).isEqualTo(rfc5952(high, low));
            }

            int bits = random.nextInt();
            IpAddress v4 = IpAddress.ofIpv4(bits);
            String dottedQuad = (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
            assertThat(v4.toString()).isEqualTo(dottedQuad);
            assertThat(IpLiterals.tryParse(dottedQuad)).contains(v4);
            assertThat(v4.toInetAddress().getAddress()).containsExactly(
                    (byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits);
        }
    }

    @Test
    void mappedAndNat64RoundTripThroughTheirDottedForms() {
        Random random = new Random(6052L);
        for (int i = 0; i < 2_000; i++) {
            long v4 = random.nextInt() & 0xffff_ffffL;
            for (IpAddress a : new IpAddress[] {
                    IpAddress.ofIpv6(0, 0x0000_ffff_0000_0000L | v4), IpAddress.ofIpv6(0x0064_ff9b_0000_0000L, v4)}) {
                String text = a.toString();
                assertThat(text).matches("(::ffff:|64:ff9b::)\\d+\\.\\d+\\.\\d+\\.\\d+");
                assertThat(IpLiterals.parse(text)).isEqualTo(a);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Shape checks
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "looksLikeIpv4Literal(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', value = {
            "1.2.3.4     | true",
            "0177.0.0.1  | true",
            "127.1       | true",
            "2130706433  | true",
            "0x7f000001  | true",
            "0x7g.0.0.1  | true",
            "127..0.1    | true",
            "08.0.0.1    | true",
            ".1          | true",
            "123         | true",
            "0x          | true",
            "0xabc       | true",
            "1.2.3.4.5   | false",
            "1.2.3.4.    | false",
            "1..         | false",
            "a.1         | false",
            "1.a         | false",
            "example.com | false",
            "0X7F.1      | false",
            "1-2.3.4.5   | false",
            "::1         | false",
            "''          | false",
    })
    void looksLikeIpv4Literal(String text, boolean expected) {
        assertThat(IpLiterals.looksLikeIpv4Literal(text)).isEqualTo(expected);
    }

    @Test
    void shapeChecksHandleNull() {
        assertThat(IpLiterals.looksLikeIpv4Literal(null)).isFalse();
    }

    // ---------------------------------------------------------------------------------------------
    // IpAddress basics that the formatting relies on
    // ---------------------------------------------------------------------------------------------

    @Test
    void ipAddressEqualityOrderAndViews() {
        IpAddress v4 = IpLiterals.parse("10.1.2.3");
        IpAddress mapped = IpLiterals.parse("::ffff:10.1.2.3");
        assertThat(v4).isNotEqualTo(mapped);
        assertThat(v4.high128()).isEqualTo(mapped.high128());
        assertThat(v4.low128()).isEqualTo(mapped.low128());
        assertThat(mapped.unmapIpv4()).contains(v4);
        assertThat(IpLiterals.parse("::ffff:0:a01:203").unmapIpv4()).isEmpty();
        assertThat(v4.compareTo(IpLiterals.parse("::"))).isNegative();
        assertThat(IpLiterals.parse("10.1.2.3").compareTo(IpLiterals.parse("10.1.2.4"))).isNegative();
        assertThat(IpLiterals.parse("200.0.0.0").compareTo(IpLiterals.parse("10.0.0.0"))).isPositive();
        assertThat(IpLiterals.parse("ffff::").compareTo(IpLiterals.parse("1::"))).isPositive();
        assertThat(IpLiterals.parse("fe80::1%a")).isNotEqualTo(IpLiterals.parse("fe80::1"));
        assertThat(IpLiterals.parse("fe80::1%a").withoutZone()).isEqualTo(IpLiterals.parse("fe80::1"));
        assertThat(IpLiterals.parse("fe80::1%a").hashCode()).isEqualTo(IpLiterals.parse("fe80::1%a").hashCode());
        assertThatThrownBy(() -> IpAddress.ofIpv6(0, 1, "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(mapped.toInetAddress().getHostAddress()).isEqualTo("10.1.2.3");
    }
}
