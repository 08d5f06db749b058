package dev.egressguard.client.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoutingConfigTest {
    @TempDir
    Path home;

    private Path config(String yaml) throws Exception {
        Path dir = Files.createDirectories(home.resolve(".openclaw"));
        return Files.writeString(dir.resolve("config.yaml"), yaml);
    }

    private RoutingSettings resolve(Map<String, String> env) {
        return RoutingConfig.resolve(Optional.empty(), env, home);
    }

    @Test
    void noConfigAtAllMeansNoRouting() {
        assertThat(resolve(Map.of()).enabled()).isFalse();
    }

    @Test
    void aUrlAloneDoesNotTurnRoutingOn() throws Exception {
        config("proxy:\n  proxyUrl: http://127.0.0.1:3128\n");
        assertThat(resolve(Map.of("OPENCLAW_PROXY_URL", "http://127.0.0.1:3129")).enabled()).isFalse();
        config("proxy:\n  enabled: false\n  proxyUrl: http://127.0.0.1:3128\n");
        assertThat(resolve(Map.of()).enabled()).isFalse();
    }

    @Test
    void configUrlWinsOverTheEnvironment() throws Exception {
        config("proxy:\n  enabled: true\n  proxyUrl: http://127.0.0.1:3128\n");
        RoutingSettings s = resolve(Map.of("OPENCLAW_PROXY_URL", "http://127.0.0.1:9999"));
        assertThat(s.proxy().port()).isEqualTo(3128);
        assertThat(s.source()).startsWith("proxy.proxyUrl in ");
    }

    @Test
    void theEnvironmentIsTheFallbackThenTheDurableEnvFile() throws Exception {
        config("proxy:\n  enabled: true\n");
        assertThat(resolve(Map.of("OPENCLAW_PROXY_URL", " http://127.0.0.1:9999 ")).proxy().port()).isEqualTo(9999);
        Files.writeString(home.resolve(".openclaw/.env"), "# durable\nexport OPENCLAW_PROXY_URL=\"http://127.0.0.1:7777\"\n");
        assertThat(resolve(Map.of()).proxy().port()).isEqualTo(7777);
        assertThat(resolve(Map.of("OPENCLAW_PROXY_URL", "http://127.0.0.1:9999")).proxy().port())
                .as("the real environment wins over the durable file").isEqualTo(9999);
    }

    @Test
    void theStateDirHoldsConfigAndDurableEnvWhenSet() throws Exception {
        Path state = Files.createDirectories(home.resolve("state"));
        Files.writeString(state.resolve("config.yaml"), "proxy:\n  enabled: true\n");
        Files.writeString(state.resolve(".env"), "OPENCLAW_PROXY_URL=http://10.1.2.3:3128\n");
        config("proxy:\n  enabled: false\n");
        RoutingSettings s = resolve(Map.of("OPENCLAW_STATE_DIR", state.toString()));
        assertThat(s.proxy().host()).isEqualTo("10.1.2.3");
    }

    @Test
    void anExplicitConfigFileIsUsedInsteadOfTheDefaultLocations() throws Exception {
        Path file = Files.writeString(home.resolve("mine.yaml"), "proxy:\n  enabled: true\n  proxyUrl: http://127.0.0.1:4444\n");
        assertThat(RoutingConfig.resolve(Optional.of(file), Map.of(), home).proxy().port()).isEqualTo(4444);
    }

    @Test
    void enabledWithoutAUrlFailsWithTheSpecsMessage() throws Exception {
        config("proxy:\n  enabled: true\n");
        assertThatThrownBy(() -> resolve(Map.of())).isInstanceOf(ProxyRoutingException.class)
                .hasMessage("proxy: enabled but no HTTP proxy URL is configured; set proxy.proxyUrl or OPENCLAW_PROXY_URL to an http:// forward proxy.");
        assertThatThrownBy(() -> resolve(Map.of("OPENCLAW_PROXY_URL", "   "))).hasMessageContaining("no HTTP proxy URL is configured");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://127.0.0.1:3128", "socks5://127.0.0.1:1080", "http://127.0.0.1", "http://:3128", "127.0.0.1:3128",
        "not a url", "http://[::1:3128", "ftp://proxy:21", "http://127.0.0.1:99999"})
    void enabledWithAnInvalidUrlFailsWithTheSpecsMessage(String url) throws Exception {
        config("proxy:\n  enabled: true\n");
        assertThatThrownBy(() -> resolve(Map.of("OPENCLAW_PROXY_URL", url))).isInstanceOf(ProxyRoutingException.class)
                .hasMessage("proxy: enabled but proxy URL is invalid; set proxy.proxyUrl or OPENCLAW_PROXY_URL to an http:// forward proxy.");
    }

    @Test
    void credentialsAreAcceptedAndNeverPrinted() throws Exception {
        config("proxy:\n  enabled: true\n  proxyUrl: http://agent:s3cr3t%40pw@127.0.0.1:3128\n");
        RoutingSettings s = resolve(Map.of());
        assertThat(s.proxy().username()).contains("agent");
        assertThat(s.proxy().password()).contains("s3cr3t@pw");
        assertThat(s.toString()).doesNotContain("s3cr3t").doesNotContain("agent").contains("redacted:redacted@127.0.0.1:3128");
        assertThat(s.proxy().toUriString()).isEqualTo("http://agent:s3cr3t%40pw@127.0.0.1:3128");
    }

    @Test
    void aNonBooleanEnabledIsAnErrorNotAGuess() throws Exception {
        config("proxy:\n  enabled: maybe\n  proxyUrl: http://127.0.0.1:3128\n");
        assertThatThrownBy(() -> resolve(Map.of())).isInstanceOf(ProxyRoutingException.class)
                .hasMessageContaining("proxy.enabled: \"maybe\" (expected: true or false)");
    }

    @Test
    void shapesThatWouldReadAsNotEnabledAreErrors() throws Exception {
        config("proxy: true\n");
        assertThatThrownBy(() -> resolve(Map.of())).isInstanceOf(ProxyRoutingException.class)
                .hasMessageContaining("proxy: \"true\" (expected: a mapping with enabled and proxyUrl)");
        config("proxy.enabled: true\nproxy.proxyUrl: http://127.0.0.1:3128\n");
        assertThatThrownBy(() -> resolve(Map.of())).isInstanceOf(ProxyRoutingException.class)
                .hasMessageContaining("\"proxy.enabled\" is a key of its own");
    }

    @Test
    void brokenEscapesAndSlashTricksNeverYieldAProxyOrLeakTheSecret() throws Exception {
        config("proxy:\n  enabled: true\n");
        assertThatThrownBy(() -> resolve(Map.of("OPENCLAW_PROXY_URL", "http://u:zz%zzsecret@127.0.0.1:3128")))
                .hasMessage(RoutingConfig.INVALID_URL);
        assertThatThrownBy(() -> resolve(Map.of("OPENCLAW_PROXY_URL", "http:\\\\evil\\//u:p@127.0.0.1:3128")))
                .as("one parser decides host, port and userinfo").hasMessage(RoutingConfig.INVALID_URL);
    }

    @Test
    void anUnparseableConfigFileFailsClosed() throws Exception {
        config("proxy: [unclosed\n");
        assertThatThrownBy(() -> resolve(Map.of())).isInstanceOf(ProxyRoutingException.class).hasMessageContaining("not valid YAML");
    }

    @Test
    void aHandDownFromEgressguardRunIsTakenAsIsAndValidated() {
        Map<String, String> env = new HashMap<>();
        assertThat(RoutingConfig.inherited(env)).isEmpty();
        env.put("EGRESSGUARD_PROXY_ENABLED", "true");
        assertThatThrownBy(() -> RoutingConfig.inherited(env)).hasMessageContaining("no HTTP proxy URL");
        env.put("OPENCLAW_PROXY_URL", "https://127.0.0.1:3128");
        assertThatThrownBy(() -> RoutingConfig.inherited(env)).hasMessageContaining("proxy URL is invalid");
        env.put("OPENCLAW_PROXY_URL", "http://127.0.0.1:3128");
        assertThat(RoutingConfig.inherited(env).orElseThrow().proxy().port()).isEqualTo(3128);
    }
}
