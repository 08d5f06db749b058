package dev.egressguard.client.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code proxy.socksUrl} and {@code run --socks}: the SOCKS5 proxy children get as ALL_PROXY. */
class SocksProxyTest {
    @TempDir
    Path home;

    @Test
    void aSocks5hUrlKeepsHostPortAndCredentialsAndPrintsRedacted() {
        ProxyUrl u = ProxyUrl.tryParseSocks(" SOCKS5H://agent:s3cr3t@127.0.0.1:1080 ").orElseThrow();
        assertThat(u.scheme()).isEqualTo("socks5h");
        assertThat(u.host()).isEqualTo("127.0.0.1");
        assertThat(u.port()).isEqualTo(1080);
        assertThat(u.toUriString()).isEqualTo("socks5h://agent:s3cr3t@127.0.0.1:1080");
        assertThat(u.redacted()).isEqualTo("socks5h://redacted:redacted@127.0.0.1:1080/");
        assertThat(ProxyUrl.tryParseSocks("socks5h://[::1]:80").orElseThrow().redacted()).as("the port always shows").isEqualTo("socks5h://[::1]:80/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"socks5://127.0.0.1:1080", "socks4://127.0.0.1:1080", "socks5h://127.0.0.1", "socks5h://:1080",
        "http://127.0.0.1:3128", "127.0.0.1:1080", "socks5h://127.0.0.1:99999", "socks5h://u:zz%zz@127.0.0.1:1080", ""})
    void anythingElseIsNotASocksProxy(String text) {
        assertThat(ProxyUrl.tryParseSocks(text)).isEmpty();
    }

    @Test
    void movingAProxyKeepsSchemeAndCredentials() {
        ProxyUrl http = ProxyUrl.tryParse("http://u:p@proxy.corp:3128").orElseThrow();
        assertThat(http.at("127.0.0.1", 3128).toUriString()).isEqualTo("http://u:p@127.0.0.1:3128");
        ProxyUrl socks = ProxyUrl.tryParseSocks("socks5h://proxy.corp:1080").orElseThrow();
        assertThat(socks.at("127.0.0.1", 1080).toUriString()).isEqualTo("socks5h://127.0.0.1:1080");
    }

    @Test
    void theConfigKeyIsReadValidatedAndWrittenOnlyWhenValid() throws Exception {
        Path dir = Files.createDirectories(home.resolve(".openclaw"));
        Path file = dir.resolve("config.yaml");
        assertThat(RoutingConfig.socksProxy(Optional.empty(), Map.of(), home)).isEmpty();
        RuntimeConfigFile.load(file).with("proxy.socksUrl", "socks5h://127.0.0.1:1080").save();
        assertThat(RoutingConfig.socksProxy(Optional.empty(), Map.of(), home).orElseThrow().port()).isEqualTo(1080);
        assertThatThrownBy(() -> RuntimeConfigFile.load(file).with("proxy.socksUrl", "socks5://u:secret@127.0.0.1:1080"))
                .isInstanceOf(RuntimeConfigException.class)
                .hasMessage("proxy.socksUrl: \"socks5://redacted@127.0.0.1:1080\" (expected: a socks5h:// URL with host and port, e.g. socks5h://127.0.0.1:1080)");
        Files.writeString(file, "proxy:\n  socksUrl: socks5://u:secret@127.0.0.1:1080\n");
        assertThatThrownBy(() -> RoutingConfig.socksProxy(Optional.empty(), Map.of(), home)).isInstanceOf(ProxyRoutingException.class)
                .hasMessageStartingWith("proxy: proxy.socksUrl in " + file + ": \"socks5://redacted@127.0.0.1:1080\" (expected: a socks5h://")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> RoutingConfig.parseSocksProxy("not a url", "--socks")).hasMessageStartingWith("proxy: --socks: \"not a url\"");
    }
}
