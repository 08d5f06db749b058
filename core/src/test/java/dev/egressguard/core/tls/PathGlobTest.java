package dev.egressguard.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathGlobTest {
    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
        "/repos/my-org/**, /repos/my-org, true",
        "/repos/my-org/**, /repos/my-org/, true",
        "/repos/my-org/**, /repos/my-org/tools/issues/1, true",
        "/repos/my-org/**, /repos/my-org-evil/x, false",
        "/repos/my-org/**, /repos, false",
        "/repos/my-org/**, /REPOS/My-Org/x, true",
        "/gists, /gists, true",
        "/gists, /gists/, true",
        "/gists, /Gists, true",
        "/gists, /gists/1, false",
        "/gists/, /gists, true",
        "/repos/*/issues, /repos/a/issues, true",
        "/repos/*/issues, /repos/a/b/issues, false",
        "/repos/*/issues, /repos/x/issue, false",
        "/v1/*.json, /v1/models.json, true",
        "/v1/*.json, /v1/models.xml, false",
        "/a/**/z, /a/z, true",
        "/a/**/z, /a/b/c/z, true",
        "/a/**/z, /a/b/c/y, false",
        "/**, /, true",
        "/**, /anything/at/all, true",
        "/, /, true",
        "/, /x, false",
        "/*, /x, true",
        "/*, /x/y, false",
        "/a*b*c, /axxbyyc, true",
        "/a*b*c, /axxbyy, false",
    })
    void matchesDecodedPaths(String glob, String path, boolean matches) {
        assertThat(PathGlob.parse(glob).matches(path)).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "repos/**", "/a/../b", "/a/./b", "//a", "/a//b", "/a%2Fb", "/a?b", "/a#b", "/a;b", "/a\\b", "/a b", "/a**", "/**b/c"})
    void badPatternsAreRefused(String glob) {
        assertThat(PathGlob.problem(glob)).isPresent();
        assertThatThrownBy(() -> PathGlob.parse(glob)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: a path pattern");
    }

    @Test
    void matchingStaysLinearOnHostilePaths() {
        PathGlob glob = PathGlob.parse("/**/**/**/**/**/x/*a*a*a*a*a*b");
        String path = "/a".repeat(20_000) + "/" + "a".repeat(20_000);
        long start = System.nanoTime();
        assertThat(glob.matches(path)).isFalse();
        assertThat(System.nanoTime() - start).as("nanoseconds").isLessThan(5_000_000_000L);
    }
}
