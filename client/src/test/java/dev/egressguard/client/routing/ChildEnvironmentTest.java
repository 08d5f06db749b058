package dev.egressguard.client.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {
    @Test
    void proxyVariablesSetBypassListsGoneAgentAppended() {
        Map<String, String> env = new HashMap<>(Map.of("NO_PROXY", "localhost,127.0.0.1", "no_proxy", "*", "GLOBAL_AGENT_NO_PROXY", "x",
                "JAVA_TOOL_OPTIONS", "-Xmx64m", "PATH", "/usr/bin"));
        RoutingSettings s = RoutingSettings.through(ProxyUrl.tryParse("http://u:p@127.0.0.1:3128").orElseThrow(), "test");
        ChildEnvironment.apply(env, s, Optional.of(Path.of("/opt/eg/egressguard-agent.jar")));
        for (String v : ChildEnvironment.PROXY_VARIABLES) {
            assertThat(env).containsEntry(v, "http://u:p@127.0.0.1:3128");
        }
        assertThat(env).doesNotContainKeys("NO_PROXY", "no_proxy", "GLOBAL_AGENT_NO_PROXY");
        assertThat(env).containsEntry("JAVA_TOOL_OPTIONS", "-Xmx64m -javaagent:/opt/eg/egressguard-agent.jar");
        assertThat(env).containsEntry("PATH", "/usr/bin").containsEntry("EGRESSGUARD_PROXY_ENABLED", "true");
        ChildEnvironment.apply(env, s, Optional.of(Path.of("/opt/eg/egressguard-agent.jar")));
        assertThat(env.get("JAVA_TOOL_OPTIONS")).as("added once").isEqualTo("-Xmx64m -javaagent:/opt/eg/egressguard-agent.jar");
    }

    @Test
    void nodeRoutesItsBuiltInClientsAndAllProxyIsOursOrNone() {
        Map<String, String> env = new HashMap<>(Map.of("ALL_PROXY", "socks5://elsewhere:1080", "all_proxy", "socks5://elsewhere:1080"));
        ProxyUrl proxy = ProxyUrl.tryParse("http://127.0.0.1:3128").orElseThrow();
        ChildEnvironment.apply(env, proxy, Optional.empty(), Optional.empty());
        assertThat(env).containsEntry("NODE_USE_ENV_PROXY", "1").doesNotContainKeys("ALL_PROXY", "all_proxy", "JAVA_TOOL_OPTIONS");
        ProxyUrl socks = ProxyUrl.tryParseSocks("socks5h://u:p@127.0.0.1:1080").orElseThrow();
        ChildEnvironment.apply(env, proxy, Optional.of(socks), Optional.empty());
        assertThat(env).containsEntry("ALL_PROXY", "socks5h://u:p@127.0.0.1:1080").containsEntry("all_proxy", "socks5h://u:p@127.0.0.1:1080")
                .containsEntry("HTTP_PROXY", "http://127.0.0.1:3128");
    }

    @Test
    void disabledRoutingLeavesTheEnvironmentAlone() {
        Map<String, String> env = new HashMap<>(Map.of("NO_PROXY", "localhost"));
        ChildEnvironment.apply(env, RoutingSettings.disabled(), Optional.empty());
        assertThat(env).containsExactly(Map.entry("NO_PROXY", "localhost"));
    }
}
