package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class HostnamesTest {
    private static final String L63 = "a".repeat(63);
    private static final String NAME_253 = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);

    @ParameterizedTest(name = "normalize \"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', value = {
            "Example.COM.         | example.com",
            "'  [FE80::1%LO0]  '  | fe80::1%lo0",
            "example.com...       | example.com",
            "[example.com]        | example.com",
            "[::1]                | ::1",
            "'[127.0.0.1].'       | 127.0.0.1",
            "[[::1]]              | [::1]",
            "..                   | ''",
            "[]                   | ''",
            "bücher.EXAMPLE       | bücher.example",
            "[fe80::1%eth0.]      | fe80::1%eth0",
    })
    void normalize(String in, String out) {
        assertThat(Hostnames.normalize(in)).isEqualTo(out);
    }

    @Test
    void normalizeTrimsWhitespaceAndControlsAtTheEdges() {
        assertThat(Hostnames.normalize("\texample.com\r\n")).isEqualTo("example.com");
        assertThat(Hostnames.normalize(" \u2003example.com")).isEqualTo("example.com");
    }

    @Test
    void stripBracketsRemovesOnePairOnly() {
        assertThat(Hostnames.stripBrackets("[[x]]")).isEqualTo("[x]");
        assertThat(Hostnames.stripBrackets("[x")).isEqualTo("[x");
        assertThat(Hostnames.stripBrackets("x]")).isEqualTo("x]");
        assertThat(Hostnames.stripBrackets("[")).isEqualTo("[");
        assertThat(Hostnames.stripBrackets("[]")).isEqualTo("");
    }

    static Stream<Arguments> canonical() {
        return Stream.of(
                Arguments.of("Example.COM.", "example.com"),
                Arguments.of("a_b.example", "a_b.example"),
                Arguments.of("xn--bcher-kva.example", "xn--bcher-kva.example"),
                Arguments.of("bücher.example", "xn--bcher-kva.example"),
                Arguments.of("BÜCHER.example", "xn--bcher-kva.example"),
                // IDNA maps full-width digits and letters and the ideographic full stop to ASCII
                Arguments.of("１２７.０.０.１", "127.0.0.1"),
                Arguments.of("127。0。0。1", "127.0.0.1"),
                Arguments.of("１２７。０。０。１", "127.0.0.1"),
                Arguments.of("ＬＯＣＡＬＨＯＳＴ", "localhost"),
                Arguments.of("localhost。", "localhost"),
                Arguments.of("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),
                Arguments.of("fe80：：1", "fe80::1"),
                // invisible characters IDNA2003 maps to nothing, as UTS #46 does
                Arguments.of("exa\u200bmple.com", "example.com"),
                Arguments.of("exa\u00admple.com", "example.com"),
                Arguments.of("lo\u034fcal\u180bhost\u2060", "localhost"),
                Arguments.of("\ufefflocal\ufe0fhost", "localhost"),
                Arguments.of("\u24dbocal\u210eost", "localhost"),
                Arguments.of("loc\u1e9ehost", "locsshost"), // lowercased to ß first, as browsers map it
                // IP literals come back in canonical text
                Arguments.of("[::1]", "::1"),
                Arguments.of("[0:0:0:0:0:0:0:1]", "::1"),
                Arguments.of("  [FE80::1%LO0]  ", "fe80::1%lo0"),
                Arguments.of("::FFFF:7F00:1", "::ffff:127.0.0.1"),
                Arguments.of("127.0.0.1.", "127.0.0.1"),
                Arguments.of("[127.0.0.1]", "127.0.0.1"),
                // legacy IPv4 shapes are kept (so that the policy can name them), not rewritten
                Arguments.of("0x7f.1.", "0x7f.1"),
                Arguments.of("127..0.1", "127..0.1"),
                Arguments.of("2130706433", "2130706433"),
                // length limits
                Arguments.of(L63 + ".com", L63 + ".com"),
                Arguments.of(NAME_253, NAME_253),
                Arguments.of(NAME_253 + ".", NAME_253));
    }

    @ParameterizedTest(name = "canonicalize \"{0}\" -> \"{1}\"")
    @MethodSource("canonical")
    void canonicalizes(String in, String out) {
        assertThat(Hostnames.canonicalize(in)).contains(out);
    }

    static Stream<String> hostile() {
        return Stream.of(
                null, "", "   ", ".", "..", "[]",
                "a b", "a\u00a0b", "exa mple.com", "%00", "a%00b", "a%2fb", "a/b", "a\\b", "a@b", "user@example.com",
                "a:b", "example.com:80", "[::1]:80", "a?b", "a#b", "a*b", "*.example.com", "a,b", "a;b", "a\"b", "a'b", "a<b",
                "a\u0000b", "\u0000example.com", "example.com\u0000", "a\u0007b", "a\u007fb", "a\tb", "a\nb", "a\r\nb",
                "a..b", ".a", "..a", "a..b.c",
                "a".repeat(64) + ".com", "x." + "a".repeat(64), NAME_253 + "d",
                "a" + "é".repeat(70) + ".com", "a／b", "ex@mple．com",
                "1.2.3.4%eth0", "fe80::1%", "fe80::1% x", ":::", "1::2::3", "[::1", "::1]",
                "\u3002",
                // code points IDNA2003 cannot map but browsers (UTS #46) delete: never read as anything but invalid
                "\u180flocalhost", "\u2064localhost", "local\u2064host", "metadata.google.\u2064internal", "printer.local\u180f",
                "local\ud83c\udd3bhost", "local\udb40\udd00host",
                // default-ignorables IDNA2003 keeps or forbids, and a mapping that makes a dot
                "local\u3164host", "local\u115fhost", "local\uffa0host", "local\u17b4host", "local\u2061host", "local\u200ehost",
                "local\u202ehost", "local\udb40\udc01host", "local\ufe52host", "metadata\ufe52google\ufe52internal", "local\u2024host");
    }

    @ParameterizedTest(name = "canonicalize rejects \"{0}\"")
    @MethodSource("hostile")
    void rejectsHostileInput(String in) {
        assertThat(Hostnames.canonicalize(in)).isEmpty();
    }

    @Test
    void lengthLimitsAreExact() {
        assertThat(NAME_253).hasSize(Hostnames.MAX_NAME_LENGTH);
        assertThat(Hostnames.isValidDnsName(NAME_253)).isTrue();
        assertThat(Hostnames.isValidDnsName(NAME_253 + "d")).isFalse();
        assertThat(Hostnames.isValidDnsName(L63)).isTrue();
        assertThat(Hostnames.isValidDnsName(L63 + "a")).isFalse();
        assertThat(Hostnames.isValidDnsName("a." + L63 + "a" + ".b")).isFalse();
    }

    @ParameterizedTest(name = "isValidDnsName(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', value = {
            "example.com   | true",
            "a             | true",
            "a-b.c_d.e1    | true",
            "123.example   | true",
            "1.2.3.4       | true",
            "Example.com   | false",
            "a..b          | false",
            ".a            | false",
            "a.            | false",
            "a b           | false",
            "a+b           | false",
            "''            | false",
            "bücher.com    | false",
    })
    void isValidDnsName(String name, boolean valid) {
        assertThat(Hostnames.isValidDnsName(name)).isEqualTo(valid);
    }

    @Test
    void loopbackNames() {
        assertThat(Hostnames.isLoopbackName("localhost")).isTrue();
        assertThat(Hostnames.isLoopbackName("a.localhost")).isTrue();
        assertThat(Hostnames.isLoopbackName("a.b.localhost")).isTrue();
        assertThat(Hostnames.isLoopbackName("localhost.localdomain")).isFalse();
        assertThat(Hostnames.isLoopbackName("notlocalhost")).isFalse();
        assertThat(Hostnames.isLoopbackName("localhost.example")).isFalse();
    }
}
