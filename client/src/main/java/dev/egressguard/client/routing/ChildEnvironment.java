package dev.egressguard.client.routing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The environment of a child process of a protected runtime: every proxy variable that common
 * HTTP stacks read (curl, Python, Go, Node's global-agent and undici's EnvHttpProxyAgent, ws
 * libraries) set to the proxy, the destination-based bypass lists removed (a {@code localhost}
 * entry there would let the riskiest targets skip the proxy), and the routing javaagent added to
 * {@code JAVA_TOOL_OPTIONS} so that child JVMs route too.
 */
public final class ChildEnvironment {
    /** Variables set to the proxy URL. */
    public static final List<String> PROXY_VARIABLES = List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
            "GLOBAL_AGENT_HTTP_PROXY", "GLOBAL_AGENT_HTTPS_PROXY", "WS_PROXY", "WSS_PROXY", "ws_proxy", "wss_proxy",
            "OPENCLAW_PROXY_URL");
    /** Destination bypass lists, removed. */
    public static final List<String> BYPASS_VARIABLES = List.of("no_proxy", "NO_PROXY", "GLOBAL_AGENT_NO_PROXY");
    /** Variables egressguard itself hands the child so that the agent finds the same settings. */
    public static final String ENV_ENABLED = "EGRESSGUARD_PROXY_ENABLED";

    private ChildEnvironment() {}

    /**
     * Rewrites {@code env} (a {@link ProcessBuilder#environment()}) for a child routed by {@code settings};
     * {@code agentJar}, when present, is appended to {@code JAVA_TOOL_OPTIONS} as {@code -javaagent}.
     */
    public static void apply(Map<String, String> env, RoutingSettings settings, Optional<Path> agentJar) {
        if (!settings.enabled()) {
            return;
        }
        String url = settings.proxy().toUriString();
        for (String v : PROXY_VARIABLES) {
            env.put(v, url);
        }
        BYPASS_VARIABLES.forEach(env::remove);
        env.put(ENV_ENABLED, "true");
        agentJar.ifPresent(jar -> {
            String option = "-javaagent:" + jar.toAbsolutePath();
            String existing = env.getOrDefault("JAVA_TOOL_OPTIONS", "").strip();
            if (!existing.contains(option)) {
                env.put("JAVA_TOOL_OPTIONS", existing.isEmpty() ? option : existing + " " + option);
            }
        });
    }
}
