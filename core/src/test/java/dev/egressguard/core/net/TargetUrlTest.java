package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Hosts read the way browsers read them (WHATWG URL Standard, special schemes). */
class TargetUrlTest {

    private static TargetUrl url(String text) {
        TargetUrl.Result r = TargetUrl.parse(text);
        assertThat(r.problem()).as("problem of %s", text).isEmpty();
        return r.url().orElseThrow();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // legacy IPv4 spellings become dotted decimal
            "http://0x7f000001/               | 127.0.0.1",
            "http://127.1/                    | 127.0.0.1",
            "http://2130706433/               | 127.0.0.1",
            "http://0177.0.0.1/               | 127.0.0.1",
            "http://0x7f.1/                   | 127.0.0.1",
            "http://127.0.0.1./               | 127.0.0.1",
            "http://0/                        | 0.0.0.0",
            "http://0x/                       | 0.0.0.0",
            // percent-decoding and IDNA come before the number check
            "http://%31%32%37.0.0.1/          | 127.0.0.1",
            "http://%30x7f.1/                 | 127.0.0.1",
            "http://１２７.０.０.１/           | 127.0.0.1",
            "http://127。0。0。1/               | 127.0.0.1",
            "http://ex%61mple.com/            | example.com",
            "http://bücher.example/           | xn--bcher-kva.example",
            "HTTP://EXAMPLE.COM/P             | example.com",
            // the host starts after the last @; a backslash ends the authority
            "http://evil.com\\@127.0.0.1/     | evil.com",
            "http://a@b@127.0.0.1/            | 127.0.0.1",
            "http://127.0.0.1:80@evil.com/    | evil.com",
            "http://[::1]@evil.com/           | evil.com",
            "http://evil.com#@127.0.0.1/      | evil.com",
            "http://evil.com?@127.0.0.1/      | evil.com",
            "http://evil.com/@127.0.0.1/      | evil.com",
            "http:\\\\evil.com\\x             | evil.com",
            "http:///example.com/             | example.com",
            "http:example.com                 | example.com",
            // IPv6
            "http://[::1]:8080/x?y#z          | ::1",
            "http://[::FFFF:7F00:1]/          | ::ffff:127.0.0.1",
            "http://[0:0:0:0:0:0:0:1]/        | ::1",
    })
    void hosts(String text, String host) {
        assertThat(url(text).host()).isEqualTo(host);
        assertThat(TargetUrl.tryParse(text).map(TargetUrl::host)).contains(host);
    }

    @ParameterizedTest(name = "{0} is INVALID")
    @ValueSource(strings = {
            "http://1.2.3.4.5/", "http://256.0.0.1/", "http://1.2.3.256/", "http://0x100000000/", "http://4294967296/",
            "http://08/", "http://foo.127.0.0.1/", "http://foo.0x/", "http://example.09/", "http://127..0.1/",
            "http://[fe80::1%25eth0]/", "http://[fe80::1%eth0]/", "http://[::1/", "http://[::1]x/", "http://[1:2:3:4:5:6:7:8:9]/",
            "http://[v1.x]/", "http://", "http:///", "http://@/", "http://user@/", "http://exa mple.com/", "http://%00/",
            "http://a%2fb/", "http://a%40b/", "http://a<b/", "http://a^b/", "http://a|b/", "http://x:65536/",
            "http://x:8a/", "http://x:-1/", "http://x:80:80/", "http://x:4294967376/", "//x/", "x", "", "http//x/",
            "1http://x/", ":x", "http://x\u0000y/", "http://%ff/",
            // a browser reads these as localhost (UTS #46 deletes what IDNA2003 does not know): refused, never another name
            "http://\u180flocalhost/", "http://\u2064localhost/", "http://local%E2%81%A4host/", "http://%E1%A0%8Flocalhost/",
            "http://local\u3164host/", "http://local\ufe52host/",
    })
    void invalid(String text) {
        TargetUrl.Result r = TargetUrl.parse(text);
        assertThat(r.problem()).contains(TargetUrl.Problem.INVALID);
        assertThat(r.url()).isEmpty();
        assertThat(TargetUrl.tryParse(text)).isEmpty();
    }

    @Test
    void nullIsInvalid() {
        assertThat(TargetUrl.parse(null).problem()).contains(TargetUrl.Problem.INVALID);
    }

    @ParameterizedTest(name = "{0} is UNSUPPORTED_SCHEME")
    @ValueSource(strings = {"ftp://x/", "file:///etc/passwd", "gopher://127.0.0.1:70/", "javascript:alert(1)",
            "data:text/plain,x", "httpx://x/", "h.t-t+p://x/"})
    void unsupportedScheme(String text) {
        TargetUrl.Result r = TargetUrl.parse(text);
        assertThat(r.problem()).contains(TargetUrl.Problem.UNSUPPORTED_SCHEME);
        assertThat(r.url()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> port {1} explicit {2}")
    @CsvSource(delimiter = '|', value = {
            "http://x/            | 80    | false",
            "https://x/           | 443   | false",
            "ws://x/              | 80    | false",
            "wss://x/             | 443   | false",
            "http://x:80/         | 80    | false",
            "https://x:443/       | 443   | false",
            "http://x:/           | 80    | false",
            "http://x:0080/       | 80    | false",
            "http://x:443/        | 443   | true",
            "https://x:80/        | 80    | true",
            "http://x:8080/       | 8080  | true",
            "http://x:65535/      | 65535 | true",
            "http://x:1/          | 1     | true",
            "http://[::1]:8080/   | 8080  | true",
    })
    void ports(String text, int port, boolean explicit) {
        TargetUrl u = url(text);
        assertThat(u.port()).isEqualTo(port);
        assertThat(u.hasExplicitPort()).isEqualTo(explicit);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "http://[::1]:8080/x?y#z          | /x?y",
            "http://x                         | /",
            "http://x?q=1                     | /?q=1",
            "http://x#frag                    | /",
            "http://x/a/b?c=d&e#f             | /a/b?c=d&e",
            "http://x/A%20B                   | /A%20B",
            "http://evil.com\\@127.0.0.1/     | /@127.0.0.1/",
            "http://x\\a\\b                   | /a/b",
    })
    void pathAndQuery(String text, String expected) {
        assertThat(url(text).pathAndQuery()).isEqualTo(expected);
    }

    @Test
    void userInfoIsNotedAndNeverPrinted() {
        TargetUrl u = url("http://a@b@127.0.0.1/");
        assertThat(u.hasUserInfo()).isTrue();
        assertThat(u.host()).isEqualTo("127.0.0.1");
        assertThat(u.toString()).isEqualTo("http://127.0.0.1/");
        TargetUrl creds = url("https://user:secret@example.com:8443/p?q#f");
        assertThat(creds.hasUserInfo()).isTrue();
        assertThat(creds.toString()).isEqualTo("https://example.com:8443/p?q").doesNotContain("secret");
        assertThat(url("http://example.com/").hasUserInfo()).isFalse();
        assertThat(url("http://evil.com\\@127.0.0.1/").hasUserInfo()).isFalse();
    }

    @Test
    void toStringBracketsIpv6() {
        assertThat(url("http://[::1]:8080/x?y#z").toString()).isEqualTo("http://[::1]:8080/x?y");
        assertThat(url("HTTPS://Example.COM:443").toString()).isEqualTo("https://example.com/");
    }

    @Test
    void schemeIsLowercased() {
        assertThat(url("HtTpS://x/").scheme()).isEqualTo("https");
        assertThat(url("WS://x/").scheme()).isEqualTo("ws");
    }

    @Test
    void controlsAndSpacesAroundAndTabsInsideAreIgnored() {
        assertThat(url("  http://x.com/ \n").host()).isEqualTo("x.com");
        assertThat(url("ht\ttp://x/").scheme()).isEqualTo("http");
        assertThat(url("http://12\n7.0.0.1/").host()).isEqualTo("127.0.0.1");
        assertThat(url("\u0000http://x/").host()).isEqualTo("x");
    }

    @Test
    void looksLikeUrl() {
        assertThat(TargetUrl.looksLikeUrl("http://x")).isTrue();
        assertThat(TargetUrl.looksLikeUrl(" https://x/ ")).isTrue();
        assertThat(TargetUrl.looksLikeUrl("ftp://x")).isTrue();
        assertThat(TargetUrl.looksLikeUrl("example.com:443")).isFalse();
        assertThat(TargetUrl.looksLikeUrl("localhost:8080")).isFalse();
        assertThat(TargetUrl.looksLikeUrl("[::1]:443")).isFalse();
        assertThat(TargetUrl.looksLikeUrl("://x")).isFalse();
        assertThat(TargetUrl.looksLikeUrl("1http://x")).isFalse();
    }

    @Test
    void defaultPorts() {
        assertThat(TargetUrl.defaultPort("http")).isEqualTo(80);
        assertThat(TargetUrl.defaultPort("ws")).isEqualTo(80);
        assertThat(TargetUrl.defaultPort("https")).isEqualTo(443);
        assertThat(TargetUrl.defaultPort("wss")).isEqualTo(443);
    }
}
