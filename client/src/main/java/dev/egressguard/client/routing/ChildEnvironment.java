package dev.egressguard.client.routing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The environment of a child process of a protected runtime: every proxy variable that common
 * HTTP stacks read (curl, Python, Go, Node's global-agent and undici's EnvHttpProxyAgent, ws
 * libraries) set to the proxy, {@code NODE_USE_ENV_PROXY=1} so that Node 24 (and 22.21+) route
 * built-in {@code fetch}, {@code http} and {@code https} by those variables, {@code ALL_PROXY} set
 * to the SOCKS proxy when there is one (and removed when there is not), the destination-based
 * bypass lists removed (a {@code localhost} entry there would let the riskiest targets skip the
 * proxy), and the routing javaagent added to {@code JAVA_TOOL_OPTIONS} so that child JVMs route too.
 */
public final class ChildEnvironment {
    /** Variables set to the HTTP proxy URL. */
    public static final List<String> PROXY_VARIABLES = List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
            "GLOBAL_AGENT_HTTP_PROXY", "GLOBAL_AGENT_HTTPS_PROXY", "WS_PROXY", "WSS_PROXY", "ws_proxy", "wss_proxy",
            "OPENCLAW_PROXY_URL");
    /** Variables set to the SOCKS proxy URL when there is one, and removed when there is not. */
    public static final List<String> SOCKS_VARIABLES = List.of("ALL_PROXY", "all_proxy");
    /** Destination bypass lists, removed. */
    public static final List<String> BYPASS_VARIABLES = List.of("no_proxy", "NO_PROXY", "GLOBAL_AGENT_NO_PROXY");
    /** Node 24 and 22.21+: route built-in fetch, http and https by HTTP(S)_PROXY; set to {@code 1}. */
    public static final String ENV_NODE_USE_ENV_PROXY = "NODE_USE_ENV_PROXY";
    /**
     * {@code true} in a routed child: with {@code OPENCLAW_PROXY_URL}, the settings the routing
     * javaagent of a child JVM takes instead of reading the runtime config again.
     */
    public static final String ENV_ENABLED = "EGRESSGUARD_PROXY_ENABLED";
    /** Variables that replace a TLS client's roots: set to the system roots plus the proxy's CA ({@code run --ca}). */
    public static final List<String> CA_BUNDLE_VARIABLES = List.of("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO",
            "PIP_CERT", "npm_config_cafile");
    /** Node adds this file's certificates to its own roots: set to the CA alone. */
    public static final String ENV_NODE_EXTRA_CA_CERTS = "NODE_EXTRA_CA_CERTS";

    private ChildEnvironment() {}

    /**
     * Rewrites {@code env} (a {@link ProcessBuilder#environment()}) for a child routed by {@code settings};
     * {@code agentJar}, when present, is appended to {@code JAVA_TOOL_OPTIONS} as {@code -javaagent}.
     */
    public static void apply(Map<String, String> env, RoutingSettings settings, Optional<Path> agentJar) {
        if (settings.enabled()) {
            apply(env, settings.proxy(), Optional.empty(), agentJar);
        }
    }

    /**
     * Points {@code env}'s TLS clients at the proxy's interception CA as well as the system roots
     * (docs/tls.md): the bundle for the variables that replace roots, the CA alone for Node's
     * {@code NODE_EXTRA_CA_CERTS} and for child JVMs ({@link JvmTrust#ENV_CA_FILE}, read by the agent).
     */
    public static void applyCa(Map<String, String> env, CaBundles.Written files) {
        for (String v : CA_BUNDLE_VARIABLES) {
            env.put(v, files.bundle().toString());
        }
        env.put(ENV_NODE_EXTRA_CA_CERTS, files.ca().toString());
        env.put(JvmTrust.ENV_CA_FILE, files.ca().toString());
    }

    /**
     * Rewrites {@code env} for a child that reaches the HTTP proxy at {@code proxy} and, when present,
     * a SOCKS proxy at {@code socks} (the configured proxies, or under {@code run --isolate} the
     * forwarders inside the child's network namespace).
     */
    public static void apply(Map<String, String> env, ProxyUrl proxy, Optional<ProxyUrl> socks, Optional<Path> agentJar) {
        String url = proxy.toUriString();
        for (String v : PROXY_VARIABLES) {
            env.put(v, url);
        }
        for (String v : SOCKS_VARIABLES) {
            if (socks.isPresent()) {
                env.put(v, socks.get().toUriString());
            } else {
                env.remove(v); // an inherited ALL_PROXY names some other way out
            }
        }
        BYPASS_VARIABLES.forEach(env::remove);
        env.put(ENV_NODE_USE_ENV_PROXY, "1");
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
