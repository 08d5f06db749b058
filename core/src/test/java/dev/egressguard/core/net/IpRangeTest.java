package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpRangeTest {

    private static IpAddress ip(String text) {
        return IpLiterals.parse(text);
    }

    private static IpRange range(String text) {
        return IpRange.parse(text);
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/33        | prefix length 0..32",
            "10.0.0.0/08        | prefix length 0..32",
            "10.0.0.0/          | prefix length 0..32",
            "10.0.0.0/-1        | prefix length 0..32",
            "10.0.0.0/+8        | prefix length 0..32",
            "'10.0.0.0/ 8'      | prefix length 0..32",
            "'10.0.0.0/8 '      | prefix length 0..32",
            "10.0.0.0/1000      | prefix length 0..32",
            "10.0.0.0/8/8       | prefix length 0..32",
            "10.0.0.0/0x8       | prefix length 0..32",
            "::/129             | prefix length 0..128",
            "::/00              | prefix length 0..128",
            "fe80::/10%eth0     | prefix length 0..128",
            "10.0.0.1/8         | the network address 10.0.0.0/8; host bits are set",
            "192.168.1.1/16     | the network address 192.168.0.0/16; host bits are set",
            "fe80::1/10         | the network address fe80::/10; host bits are set",
            "2001:db8::1/32     | the network address 2001:db8::/32; host bits are set",
            "fe80::%eth0/10     | an address without a zone id",
            "fe80::1%eth0       | an address without a zone id",
            "10.0.0/8           | a CIDR block such as 10.0.0.0/8 or fd00::/8; \"10.0.0\" is not an IP literal",
            "010.0.0.0/8        | a CIDR block such as 10.0.0.0/8 or fd00::/8; \"010.0.0.0\" is not an IP literal",
            "/8                 | a CIDR block such as 10.0.0.0/8 or fd00::/8; \"\" is not an IP literal",
            "[::1]/128          | a CIDR block such as 10.0.0.0/8 or fd00::/8; \"[::1]\" is not an IP literal",
            "''                 | a CIDR block such as 10.0.0.0/8 or fd00::/8",
    })
    void parseErrorsSayWhatWasExpected(String text, String expectation) {
        assertThat(IpRange.problem(text)).contains(expectation);
        assertThat(IpRange.tryParse(text)).isEmpty();
        assertThatThrownBy(() -> IpRange.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"" + text + "\" (expected: " + expectation + ")");
    }

    @Test
    void theBriefsExamples() {
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/33")).hasMessageContaining("prefix length 0..32");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.1/8")).hasMessageContaining("10.0.0.0/8");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/08")).isInstanceOf(IllegalArgumentException.class);
        assertThat(IpRange.problem(null)).isPresent();
    }

    @ParameterizedTest(name = "{0}: first {1}, last {2}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8          | 10.0.0.0       | 10.255.255.255  | 8   | 104",
            "0.0.0.0/0           | 0.0.0.0        | 255.255.255.255 | 0   | 96",
            "192.168.1.7/32      | 192.168.1.7    | 192.168.1.7     | 32  | 128",
            "172.16.0.0/12       | 172.16.0.0     | 172.31.255.255  | 12  | 108",
            "100.64.0.0/10       | 100.64.0.0     | 100.127.255.255 | 10  | 106",
            "fe80::/10           | fe80::         | febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff | 10 | 10",
            "::/0                | ::             | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | 0  | 0",
            "2001:db8::/32       | 2001:db8::     | 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff  | 32 | 32",
            "::ffff:0:0/96       | ::ffff:0.0.0.0 | ::ffff:255.255.255.255                  | 96 | 96",
            "2001:db8::/64       | 2001:db8::     | 2001:db8::ffff:ffff:ffff:ffff           | 64 | 64",
            "2001:db8::/65       | 2001:db8::     | 2001:db8::7fff:ffff:ffff:ffff           | 65 | 65",
            "2001:db8::/63       | 2001:db8::     | 2001:db8:0:1:ffff:ffff:ffff:ffff        | 63 | 63",
            "::1/128             | ::1            | ::1                                     | 128 | 128",
            "8.8.8.8             | 8.8.8.8        | 8.8.8.8         | 32  | 128",
    })
    void firstLastAndLengths(String text, String first, String last, int prefix, int uniform) {
        IpRange r = range(text);
        assertThat(r.first()).isEqualTo(ip(first));
        assertThat(r.last()).isEqualTo(ip(last));
        assertThat(r.prefixLength()).isEqualTo(prefix);
        assertThat(r.uniformPrefixLength()).isEqualTo(uniform);
        assertThat(r.contains(r.first())).isTrue();
        assertThat(r.contains(r.last())).isTrue();
        assertThat(r.isSingleAddress()).isEqualTo(r.first().equals(r.last()));
        assertThat(r.isIpv4()).isEqualTo(r.first().isIpv4());
        assertThat(range(r.toString())).isEqualTo(r);
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8       | 10.0.0.0                | true",
            "10.0.0.0/8       | 10.255.255.255          | true",
            "10.0.0.0/8       | 9.255.255.255           | false",
            "10.0.0.0/8       | 11.0.0.0                | false",
            "127.0.0.1/32     | 127.0.0.1               | true",
            "127.0.0.1/32     | 127.0.0.2               | false",
            // an IPv4 block covers the IPv4-mapped forms of its addresses
            "10.0.0.0/8       | ::ffff:10.1.2.3         | true",
            "127.0.0.1/32     | ::ffff:127.0.0.1        | true",
            "10.0.0.0/8       | ::ffff:11.0.0.0         | false",
            "0.0.0.0/0        | ::ffff:1.2.3.4          | true",
            // but no other embedding, and no other IPv6
            "10.0.0.0/8       | ::ffff:0:a01:203        | false",
            "10.0.0.0/8       | 64:ff9b::10.1.2.3       | false",
            "10.0.0.0/8       | ::10.1.2.3              | false",
            "0.0.0.0/0        | 2001:db8::1             | false",
            "0.0.0.0/0        | ::                      | false",
            // and an IPv6 block written over the mapped space covers IPv4
            "::ffff:0:0/96    | 8.8.8.8                 | true",
            "::ffff:10.0.0.0/104 | 10.200.0.1           | true",
            "::ffff:10.0.0.0/104 | 11.0.0.1             | false",
            "::/0             | 8.8.8.8                 | true",
            "fe80::/10        | fe80::1%eth0            | true",
            "fe80::/10        | febf::1                 | true",
            "fe80::/10        | fec0::                  | false",
            "2001:db8::/64    | 2001:db8::ffff:ffff:ffff:ffff | true",
            "2001:db8::/64    | 2001:db8:0:1::          | false",
            "::1/128          | ::1                     | true",
            "::1/128          | ::                      | false",
    })
    void containsAddresses(String cidr, String address, boolean expected) {
        IpRange r = range(cidr);
        IpAddress a = ip(address);
        assertThat(r.contains(a)).isEqualTo(expected);
        assertThat(r.contains128(a.high128(), a.low128())).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}; overlaps: {3}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8        | 10.1.0.0/16        | true  | true",
            "10.1.0.0/16       | 10.0.0.0/8         | false | true",
            "10.0.0.0/8        | 10.0.0.0/8         | true  | true",
            "10.0.0.0/8        | 11.0.0.0/8         | false | false",
            "10.0.0.0/8        | 10.255.255.255/32  | true  | true",
            "10.0.0.0/9        | 10.128.0.0/9       | false | false",
            "0.0.0.0/0         | 203.0.113.0/24     | true  | true",
            "::ffff:0:0/96     | 10.0.0.0/8         | true  | true",
            "10.0.0.0/8        | ::ffff:10.0.0.0/104 | true | true",
            "10.0.0.0/8        | ::ffff:0.0.0.0/100 | false | true",
            "0.0.0.0/0         | ::/0               | false | true",
            "::/0              | 0.0.0.0/0          | true  | true",
            "fe80::/10         | fe80::/64          | true  | true",
            "fe80::/64         | fe80::/10          | false | true",
            "fe80::/10         | fec0::/10          | false | false",
            "2001::/23         | 2001:db8::/32      | false | false",
            "2001::/23         | 2001:20::/28       | true  | true",
            "2001:db8::/32     | 10.0.0.0/8         | false | false",
    })
    void containsAndOverlapsRanges(String a, String b, boolean contains, boolean overlaps) {
        assertThat(range(a).contains(range(b))).isEqualTo(contains);
        assertThat(range(a).overlaps(range(b))).isEqualTo(overlaps);
        assertThat(range(b).overlaps(range(a))).isEqualTo(overlaps);
    }

    @Test
    void enclosingClearsHostBitsAndDropsTheZone() {
        assertThat(IpRange.enclosing(ip("10.1.2.3"), 8)).isEqualTo(range("10.0.0.0/8"));
        assertThat(IpRange.enclosing(ip("10.1.2.3"), 32)).isEqualTo(range("10.1.2.3/32"));
        assertThat(IpRange.enclosing(ip("10.1.2.3"), 0)).isEqualTo(range("0.0.0.0/0"));
        assertThat(IpRange.enclosing(ip("192.168.77.200"), 20)).isEqualTo(range("192.168.64.0/20"));
        assertThat(IpRange.enclosing(ip("fe80::1:2:3:4%eth0"), 64)).isEqualTo(range("fe80::/64"));
        assertThat(IpRange.enclosing(ip("2001:db8:abcd:1234::1"), 48)).isEqualTo(range("2001:db8:abcd::/48"));
        assertThat(IpRange.enclosing(ip("2001:db8::1"), 128).first()).isEqualTo(ip("2001:db8::1"));
        assertThat(IpRange.enclosing(ip("2001:db8::1"), 128).first().zone()).isEmpty();
        assertThatThrownBy(() -> IpRange.enclosing(ip("10.1.2.3"), 33))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("prefixLength: 33 (expected: 0..32)");
        assertThatThrownBy(() -> IpRange.enclosing(ip("::1"), 129))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("prefixLength: 129 (expected: 0..128)");
        assertThatThrownBy(() -> IpRange.enclosing(ip("::1"), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofChecksTheNetworkAddress() {
        assertThat(IpRange.of(ip("10.0.0.0"), 8)).isEqualTo(range("10.0.0.0/8"));
        assertThat(IpRange.of(ip("fe80::%eth0"), 10)).isEqualTo(range("fe80::/10"));
        assertThatThrownBy(() -> IpRange.of(ip("10.0.0.1"), 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("network: 10.0.0.1/8 (expected: the network address 10.0.0.0/8)");
        assertThatThrownBy(() -> IpRange.of(ip("10.0.0.0"), 33))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("prefixLength: 33 (expected: 0..32)");
        assertThatThrownBy(() -> IpRange.of(ip("::"), 129))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("prefixLength: 129 (expected: 0..128)");
        assertThatThrownBy(() -> IpRange.of(null, 8)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void ofAddressIsASingleAddressBlock() {
        IpRange v4 = IpRange.ofAddress(ip("8.8.8.8"));
        assertThat(v4).isEqualTo(range("8.8.8.8/32"));
        assertThat(v4.isSingleAddress()).isTrue();
        IpRange v6 = IpRange.ofAddress(ip("fe80::1%eth0"));
        assertThat(v6).isEqualTo(range("fe80::1/128"));
        assertThat(v6.toString()).isEqualTo("fe80::1/128");
        assertThat(range("8.8.8.8")).isEqualTo(v4);
    }

    @Test
    void textAndEquality() {
        assertThat(range("10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
        assertThat(range("FE80::/10").toString()).isEqualTo("fe80::/10");
        assertThat(range("::ffff:0:0/96").toString()).isEqualTo("::ffff:0.0.0.0/96");
        assertThat(range("10.0.0.0/8")).isEqualTo(range("10.0.0.0/8")).hasSameHashCodeAs(range("10.0.0.0/8"));
        assertThat(range("10.0.0.0/8")).isNotEqualTo(range("10.0.0.0/9"));
        // the same addresses, spelled as IPv4 and as mapped IPv6, are different blocks
        assertThat(range("10.0.0.0/8")).isNotEqualTo(range("::ffff:10.0.0.0/104"));
        assertThat(IpRange.tryParse("10.0.0.0/8")).contains(range("10.0.0.0/8"));
        assertThat(IpRange.problem("10.0.0.0/8")).isEmpty();
        assertThat(IpRange.problem("0.0.0.0/0")).isEmpty();
        assertThat(IpRange.problem("::/0")).isEmpty();
        assertThat(IpRange.problem("::/128")).isEmpty();
    }
}
