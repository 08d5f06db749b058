package dev.egressguard.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The path of an intercepted request is read once; every spelling an origin could read otherwise is refused. */
class RequestPathsTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/|/",
        "/repos/my-org/tools|/repos/my-org/tools",
        "/repos/my-org/tools?q=a/../b&x=%2F|/repos/my-org/tools",
        "/a/b/|/a/b/",
        "/caf%C3%A9|/café",
        "/%61pi|/api",
        "/a-b_c.d~e!$&'()*+,=:@|/a-b_c.d~e!$&'()*+,=:@",
    })
    void validPathsDecodeOnce(String target, String path) {
        RequestPaths.Checked c = RequestPaths.check(target);
        assertThat(c.isValid()).isTrue();
        assertThat(c.path()).isEqualTo(path);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "https://api.example/x|path:not-origin-form",
        "*|path:not-origin-form",
        "''|path:not-origin-form",
        "/a/../b|path:dot-segment",
        "/a/./b|path:dot-segment",
        "/..|path:dot-segment",
        "/a/%2e%2e/b|path:dot-segment",
        "/a/.%2E/b|path:dot-segment",
        "/a%2Fb|path:encoded-separator",
        "/a%2fb|path:encoded-separator",
        "/a%5Cb|path:encoded-separator",
        "/a%252Fb|path:encoded-separator",
        "/a%3Bb|path:encoded-separator",
        "/a%00b|path:encoded-separator",
        "/a%0Ab|path:encoded-separator",
        "/a\\b|path:separator",
        "/gists;x=1|path:separator",
        "//gists|path:empty-segment",
        "/a//b|path:empty-segment",
        "/a%zz|path:escape",
        "/a%2|path:escape",
        "/a%C3|path:escape",
        "/a%FF|path:escape",
        "/a b|path:character",
        "/a\"b|path:character",
        "/é|path:character",
        "/a#frag|path:fragment",
        "/a?q#frag|path:fragment",
    })
    void ambiguousPathsAreRefused(String target, String rule) {
        RequestPaths.Checked c = RequestPaths.check(target);
        assertThat(c.isValid()).isFalse();
        assertThat(c.refusal()).isEqualTo(rule);
        assertThat(RequestPaths.pathOf(target)).isEmpty();
    }
}
