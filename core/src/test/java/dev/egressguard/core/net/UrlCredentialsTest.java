package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlCredentialsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://u:secret@127.0.0.1:3128|http://redacted@127.0.0.1:3128",
        "http://user:pa/ss@host:3128|http://redacted@host:3128",
        "http:/user:secret@host:99999|http:/redacted@host:99999",
        "http:\\\\u:secret@host|http:\\\\redacted@host",
        "u:secret@host:3128|redacted@host:3128",
        "not a url //u:secret@x|redacted@x",
        "http://proxy:3128?token=secret#frag|http://proxy:3128",
        "http://u:p@h/x?token=secret|http://redacted@h/x",
        "socks5://plain:3128|socks5://plain:3128"})
    void secretsNeverSurvive(String in, String out) {
        assertThat(UrlCredentials.redact(in)).isEqualTo(out);
        assertThat(UrlCredentials.redact(in)).doesNotContain("secret");
    }
}
