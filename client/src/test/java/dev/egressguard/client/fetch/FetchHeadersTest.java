package dev.egressguard.client.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class FetchHeadersTest {
    @Test
    void namesCompareCaseInsensitivelyAndRepeat() {
        FetchHeaders h = FetchHeaders.builder().add("Set-Cookie", "a=1").add("set-cookie", "b=2").add("Accept", "*/*").build();

        assertThat(h.first("SET-COOKIE")).contains("a=1");
        assertThat(h.all("Set-Cookie")).containsExactly("a=1", "b=2");
        assertThat(h.names()).containsExactly("set-cookie", "accept");
        assertThat(h.removing(Set.of("set-cookie")).names()).containsExactly("accept");
        assertThat(h.retaining(Set.of("set-cookie")).size()).isEqualTo(2);
        assertThat(h.toBuilder().set("accept", "text/html").build().all("Accept")).containsExactly("text/html");
    }

    @Test
    void toStringNamesFieldsButNeverValues() {
        FetchHeaders h = FetchHeaders.builder().add("Authorization", "Bearer very-secret").build();

        assertThat(h.toString()).contains("authorization").doesNotContain("very-secret");
    }

    @Test
    void headerInjectionIsRefusedAndTheMessageDoesNotEchoTheValue() {
        assertThatThrownBy(() -> FetchHeaders.builder().add("X-A", "v\r\nHost: evil"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("header X-A: value has a control or non-ASCII character at index 1 (expected: printable ASCII)");
        assertThatThrownBy(() -> FetchHeaders.builder().add("Bad Name", "v"))
                .hasMessage("header name: \"Bad Name\" (expected: an HTTP token)");
    }

    @Test
    void aRequestRefusesABodyOnGetAndUppercasesItsMethod() {
        assertThatThrownBy(() -> FetchRequest.builder("https://a.example/").body(new byte[3]).build())
                .hasMessage("body: 3 bytes on GET (expected: no body for GET or HEAD)");
        assertThat(FetchRequest.builder("https://a.example/").method("post").build().method()).isEqualTo("POST");
        assertThatThrownBy(() -> FetchRequest.builder("https://a.example/").method("GE T"))
                .hasMessage("method: \"GE T\" (expected: an HTTP token such as GET or POST)");
    }
}
