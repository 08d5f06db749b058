package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Fuzz target (docs/fuzzing.md): the host parsers ({@link IpLiterals}, {@link WhatwgIpv4Literals},
 * {@link Hostnames}, {@link HostPort}, {@link TargetUrl}) take any text without throwing anything
 * but the {@link IllegalArgumentException} their {@code parse} methods document, and what they
 * accept prints as text that parses back to the same value. An input is UTF-8 text, or (when its
 * first byte is 0) big-endian UTF-16 code units, which reach lone surrogates too. {@code mvn
 * verify} runs it over the corpus in {@code HostParsingFuzzTestInputs/}.
 */
class HostParsingFuzzTest {
    @FuzzTest(maxDuration = "16m")
    void hostParsersThrowOnlyWhatTheyDocumentAndRoundTrip(byte[] input) {
        String text = text(input);
        ipLiterals(text);
        whatwgIpv4(text);
        hostnames(text);
        hostPorts(text);
        targetUrls(text);
    }

    static String text(byte[] input) {
        if (input.length == 0 || input[0] != 0) {
            return new String(input, StandardCharsets.UTF_8);
        }
        char[] units = new char[(input.length - 1) / 2];
        for (int i = 0; i < units.length; i++) {
            units[i] = (char) ((input[1 + 2 * i] & 0xff) << 8 | (input[2 + 2 * i] & 0xff));
        }
        return new String(units);
    }

    private static void ipLiterals(String text) {
        Optional<IpAddress> ip = IpLiterals.tryParse(text);
        if (ip.isEmpty()) {
            assertThatThrownBy(() -> IpLiterals.parse(text)).isExactlyInstanceOf(IllegalArgumentException.class);
        } else {
            assertThat(IpLiterals.parse(text)).isEqualTo(ip.get());
            roundTrips(ip.get());
        }
        IpLiterals.tryParseHost(text).ifPresent(HostParsingFuzzTest::roundTrips);
        IpLiterals.isCanonicalIpv4(text);
        IpLiterals.looksLikeIpv4Literal(text.toLowerCase(Locale.ROOT));
    }

    /** An address prints as canonical text that parses back to it (its URI host form too). */
    private static void roundTrips(IpAddress ip) {
        String printed = ip.toString();
        assertThat(IpLiterals.tryParse(printed)).as("%s printed as %s", ip, printed).contains(ip);
        // a host is lowercased whole, its zone id too (Hostnames.normalize: [FE80::1%LO0] is fe80::1%lo0)
        assertThat(IpLiterals.tryParseHost(Hostnames.bracketIpv6(printed)).map(IpAddress::toString))
                .contains(printed.toLowerCase(Locale.ROOT));
        if (ip.isIpv4()) {
            assertThat(IpLiterals.isCanonicalIpv4(printed)).isTrue();
        }
        if (ip.zone().isEmpty()) {
            assertThat(ip.toUriHost()).isEqualTo(Hostnames.bracketIpv6(printed));
        }
    }

    private static void whatwgIpv4(String text) {
        WhatwgIpv4Literals.tryParse(text).ifPresent(ip -> {
            assertThat(ip.isIpv4()).isTrue();
            assertThat(WhatwgIpv4Literals.tryParse(ip.toString())).contains(ip);
            roundTrips(ip);
        });
        String lower = text.toLowerCase(Locale.ROOT);
        if (isAscii(lower)) {
            WhatwgIpv4Literals.endsInANumber(lower);
        }
    }

    private static void hostnames(String text) {
        Hostnames.normalize(text);
        Hostnames.toAscii(text);
        Optional<String> canonical = Hostnames.canonicalize(text);
        canonical.ifPresent(c -> {
            assertThat(isAscii(c)).as("canonical %s", c).isTrue();
            assertThat(c).isEqualTo(c.toLowerCase(Locale.ROOT));
            assertThat(Hostnames.canonicalize(c)).as("canonicalising %s again", c).contains(c);
            assertThat(Hostnames.isValidDnsName(c) || IpLiterals.looksLikeIpv4Literal(c) || IpLiterals.tryParse(c).isPresent()).isTrue();
        });
    }

    private static void hostPorts(String text) {
        HostPort.tryParseAuthority(text).ifPresent(hp -> {
            assertThat(hp.port()).isBetween(1, 65535);
            assertThat(HostPort.parseAuthority(hp.toString())).as("%s printed as %s", text, hp).isEqualTo(hp);
        });
        if (HostPort.tryParseAuthority(text).isEmpty()) {
            assertThatThrownBy(() -> HostPort.parseAuthority(text)).isExactlyInstanceOf(IllegalArgumentException.class);
        }
        // a listen address prints its port even when it is 0 (HostPort.toString() leaves out port 0, "no port")
        HostPort.tryParseListen(text).ifPresent(hp -> assertThat(HostPort.tryParseListen(Hostnames.bracketIpv6(hp.host()) + ":" + hp.port()))
                .contains(hp));
        HostPort.tryParseWithDefaultPort(text, 80).ifPresent(hp -> {
            assertThat(hp.port()).isBetween(1, 65535);
            assertThat(HostPort.tryParseWithDefaultPort(hp.toString(), 80)).contains(hp);
        });
        HostPort.tryParseLenient(text).ifPresent(hp -> assertThat(HostPort.tryParseLenient(hp.toString())).contains(hp));
    }

    private static void targetUrls(String text) {
        TargetUrl.looksLikeUrl(text);
        TargetUrl.Result r = TargetUrl.parse(text);
        assertThat(r.url().isPresent()).isNotEqualTo(r.problem().isPresent());
        r.url().ifPresent(url -> {
            assertThat(isAscii(url.host())).as("host %s", url.host()).isTrue();
            assertThat(url.port()).isBetween(0, 65535); // a URL's port may be 0, as in a browser (http://h:00/)
            TargetUrl again = TargetUrl.parse(url.toString()).url().orElseThrow(() -> new AssertionError(text + " printed as " + url));
            if (url.pathAndQuery().chars().noneMatch(c -> c <= 0x20)) {
                // a path keeps raw controls, which a parser strips at the ends of its input (ws://s/1%e1100<06>): not a host question
                assertThat(again.toString()).isEqualTo(url.toString());
            }
            assertThat(again.scheme()).isEqualTo(url.scheme());
            assertThat(again.host()).isEqualTo(url.host());
            assertThat(again.port()).isEqualTo(url.port());
        });
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }
}
