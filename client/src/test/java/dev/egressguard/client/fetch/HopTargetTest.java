package dev.egressguard.client.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** URLs are read as browsers read them, and a redirect target is resolved the same way. */
class HopTargetTest {
    private static final HopTarget BASE = HopTarget.parse("https://a.example/dir/page?x=1", 0);

    @ParameterizedTest(name = "{0} -> host {1}")
    @CsvSource({
            "http://0x7f000001/, 127.0.0.1",
            "http://127.1/, 127.0.0.1",
            "http://2130706433/, 127.0.0.1",
            "http://0177.0.0.1:8080/, 127.0.0.1",
            "http://[::ffff:127.0.0.1]/, ::ffff:127.0.0.1",
            "http://attacker.com@127.0.0.1:8080/x, 127.0.0.1",
            "HTTP://EXAMPLE.COM./, example.com.",
            "https://b\u00fccher.example/, xn--bcher-kva.example",
            "http:\\\\\\\\a.example\\\\x, a.example",
    })
    void theHostIsTheOneABrowserWouldConnectTo(String url, String host) {
        assertThat(HopTarget.parse(url, 0).host()).isEqualTo(host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://a.example/", "file:///etc/passwd", "not a url", "ws://a.example/", "wss://a.example/",
            "http://[fe80::1%25eth0]/", "http://a.example:99999/", "javascript:alert(1)", ""})
    void onlyHttpAndHttpsUrlsParse(String url) {
        assertThatThrownBy(() -> HopTarget.parse(url, 0)).isInstanceOf(InvalidFetchUrlException.class)
                .hasMessage("Invalid URL: must be http or https");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "other, https://a.example/dir/other",
            "../up, https://a.example/up",
            "/root, https://a.example/root",
            "?q=2, https://a.example/dir/page?q=2",
            "#frag, https://a.example/dir/page?x=1",
            "//b.example/x, https://b.example/x",
            "'\\\\b.example\\x', https://b.example/x",
            "'/\\b.example/x', https://b.example/x",
            "https:next, https://a.example/dir/next",
            "http:b.example/x, http://b.example/x",
            "HTTPS://B.EXAMPLE:443/y, https://b.example/y",
            "'  /spaced  ', https://a.example/spaced",
            "http://0x7f000001/, http://127.0.0.1/",
    })
    void aLocationResolvesAgainstTheCurrentUrlAsInABrowser(String location, String expected) {
        assertThat(BASE.resolve(location, 1).toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://a.example/x", "javascript:alert(1)", "mailto:a@b.example", "localhost:8080/x", "//", "http://"})
    void aLocationThatIsNoHttpUrlIsRefused(String location) {
        assertThatThrownBy(() -> BASE.resolve(location, 1)).isInstanceOf(InvalidFetchUrlException.class)
                .hasMessage("Invalid URL: must be http or https")
                .satisfies(e -> assertThat(((InvalidFetchUrlException) e).upstreamRequests()).isEqualTo(1));
    }

    @ParameterizedTest(name = "{0} vs {1}: same origin {2}")
    @CsvSource({
            "https://a.example/x, https://a.example:443/y, true",
            "https://a.example/x, https://A.EXAMPLE/y, true",
            "https://a.example/x, http://a.example/x, false",
            "https://a.example/x, https://a.example:8443/x, false",
            "https://a.example/x, https://b.a.example/x, false",
    })
    void originsCompareSchemeHostAndPort(String a, String b, boolean same) {
        assertThat(HopTarget.parse(a, 0).sameOrigin(HopTarget.parse(b, 0))).isEqualTo(same);
    }
}
