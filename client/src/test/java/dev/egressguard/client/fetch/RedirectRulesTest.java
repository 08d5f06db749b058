package dev.egressguard.client.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Method and body rewriting on each redirect status, same-origin and across origins. */
class RedirectRulesTest {
    private static final HopTarget FROM = HopTarget.parse("https://a.example/start", 0);
    private static final HopTarget SAME = HopTarget.parse("https://a.example/next", 0);
    private static final HopTarget OTHER = HopTarget.parse("https://b.example/next", 0);

    private static Hop hop(String method, boolean withBody) {
        FetchHeaders headers = FetchHeaders.builder().add("Content-Type", "text/plain").add("Content-Length", "3")
                .add("Authorization", "Bearer t").add("Accept", "*/*").add("X-Custom", "1").build();
        return new Hop(FROM, method, headers, withBody ? "abc".getBytes(StandardCharsets.UTF_8) : null);
    }

    @ParameterizedTest(name = "{1} {0} -> {2}, body kept {3}")
    @CsvSource({
            "301, POST, GET, false", "302, POST, GET, false", "303, POST, GET, false",
            "301, PUT, PUT, true", "302, DELETE, DELETE, true", "303, PUT, GET, false", "303, PATCH, GET, false",
            "307, POST, POST, true", "308, PUT, PUT, true",
            "303, GET, GET, false", "303, HEAD, HEAD, false", "301, GET, GET, false",
    })
    void sameOriginMethodRewrite(int status, String method, String next, boolean bodyKept) {
        boolean hasBody = !method.equals("GET") && !method.equals("HEAD");
        Hop after = RedirectRules.follow(hop(method, hasBody), status, SAME, false);

        assertThat(after.method()).isEqualTo(next);
        assertThat(after.target()).isSameAs(SAME);
        assertThat(after.body() != null).isEqualTo(bodyKept);
        assertThat(after.headers().contains("content-type")).isEqualTo(bodyKept || !hasBody);
        assertThat(after.headers().first("authorization")).contains("Bearer t");
        assertThat(after.headers().first("x-custom")).contains("1");
    }

    @ParameterizedTest
    @ValueSource(ints = {307, 308})
    void crossOriginKeepsTheMethodButDropsBodyAndAllButSafeHeaders(int status) {
        Hop after = RedirectRules.follow(hop("POST", true), status, OTHER, false);

        assertThat(after.method()).isEqualTo("POST");
        assertThat(after.body()).isNull();
        assertThat(after.headers().names()).containsExactly("accept");
    }

    @ParameterizedTest
    @ValueSource(ints = {307, 308})
    void crossOriginUnsafeReplayKeepsTheBodyButNeverTheCredentials(int status) {
        Hop after = RedirectRules.follow(hop("POST", true), status, OTHER, true);

        assertThat(after.method()).isEqualTo("POST");
        assertThat(new String(after.body(), StandardCharsets.UTF_8)).isEqualTo("abc");
        assertThat(after.headers().names()).containsExactly("content-type", "accept");
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void onlyTheFiveRedirectStatusesRedirect(int status) {
        assertThat(RedirectRules.isRedirect(status)).isTrue();
        assertThat(RedirectRules.isRedirect(status - 1 == 300 ? 300 : 304)).isFalse();
    }
}
