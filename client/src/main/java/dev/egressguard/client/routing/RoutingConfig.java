package dev.egressguard.client.routing;

import dev.egressguard.core.net.UrlCredentials;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves the spec's routing contract for one process: routing is on only when
 * {@code proxy.enabled=true}; the URL is {@code proxy.proxyUrl}, else {@code OPENCLAW_PROXY_URL}
 * from the environment, else from the durable environment file. Enabled without a usable
 * {@code http://} URL fails: a protected process never falls back to direct.
 */
public final class RoutingConfig {
    public static final String ENV_PROXY_URL = "OPENCLAW_PROXY_URL";
    public static final String MISSING_URL =
            "proxy: enabled but no HTTP proxy URL is configured; set proxy.proxyUrl or OPENCLAW_PROXY_URL to an http:// forward proxy.";
    public static final String INVALID_URL =
            "proxy: enabled but proxy URL is invalid; set proxy.proxyUrl or OPENCLAW_PROXY_URL to an http:// forward proxy.";

    private RoutingConfig() {}

    /**
     * The settings a parent {@code egressguard run} handed down ({@code EGRESSGUARD_PROXY_ENABLED=true}
     * with {@code OPENCLAW_PROXY_URL}); empty when there is no such hand-down.
     *
     * @throws ProxyRoutingException when the hand-down is there but its URL is missing or invalid
     */
    public static Optional<RoutingSettings> inherited(Map<String, String> env) {
        if (!"true".equals(env.get(ChildEnvironment.ENV_ENABLED))) {
            return Optional.empty();
        }
        String text = env.get(ENV_PROXY_URL);
        if (text == null || text.isBlank()) {
            throw new ProxyRoutingException(MISSING_URL);
        }
        return Optional.of(RoutingSettings.through(ProxyUrl.tryParse(text).filter(ProxyUrl::isUsableForwardProxy)
                .orElseThrow(() -> new ProxyRoutingException(INVALID_URL)), ENV_PROXY_URL + " from egressguard run"));
    }

    /** Resolves from the process's own environment and home directory. */
    public static RoutingSettings resolve(Optional<Path> configFile) {
        Map<String, String> env = System.getenv();
        return resolve(configFile, env, RuntimeConfigFile.home(env));
    }

    /**
     * Resolves from the given config location, environment and home directory.
     *
     * @throws ProxyRoutingException when routing is enabled but cannot work, or the config is unreadable
     */
    public static RoutingSettings resolve(Optional<Path> configFile, Map<String, String> env, Path home) {
        RuntimeConfigFile config;
        try {
            config = RuntimeConfigFile.load(RuntimeConfigFile.locate(configFile, env, home));
        } catch (RuntimeConfigException e) {
            throw new ProxyRoutingException("proxy: " + e.getMessage());
        }
        boolean enabled;
        try {
            enabled = config.proxyEnabled().orElse(false);
        } catch (RuntimeConfigException e) {
            throw new ProxyRoutingException("proxy: " + config.path() + ": " + e.getMessage());
        }
        if (!enabled) {
            return RoutingSettings.disabled();
        }
        String text;
        String source;
        Optional<String> fromConfig = config.proxyUrl();
        if (fromConfig.isPresent()) {
            text = fromConfig.get();
            source = RuntimeConfigFile.PROXY_URL + " in " + config.path();
        } else if (env.get(ENV_PROXY_URL) != null && !env.get(ENV_PROXY_URL).isBlank()) {
            text = env.get(ENV_PROXY_URL);
            source = ENV_PROXY_URL;
        } else {
            Path durable = RuntimeConfigFile.stateDir(env, home).resolve(".env");
            text = DurableEnvironment.read(durable).get(ENV_PROXY_URL);
            source = ENV_PROXY_URL + " in " + durable;
        }
        if (text == null || text.isBlank()) {
            throw new ProxyRoutingException(MISSING_URL);
        }
        Optional<ProxyUrl> url = ProxyUrl.tryParse(text).filter(ProxyUrl::isUsableForwardProxy);
        if (url.isEmpty()) {
            throw new ProxyRoutingException(INVALID_URL);
        }
        return RoutingSettings.through(url.get(), source);
    }

    /**
     * {@code proxy.socksUrl} from the runtime config: the proxy's SOCKS5 listener, which children
     * get as {@code ALL_PROXY}; empty when it is not set.
     *
     * @throws ProxyRoutingException when it is set but is not a {@code socks5h://host:port} URL, or the config is unreadable
     */
    public static Optional<ProxyUrl> socksProxy(Optional<Path> configFile, Map<String, String> env, Path home) {
        RuntimeConfigFile config;
        Optional<String> text;
        try {
            config = RuntimeConfigFile.load(RuntimeConfigFile.locate(configFile, env, home));
            text = config.socksUrl();
        } catch (RuntimeConfigException e) {
            throw new ProxyRoutingException("proxy: " + e.getMessage());
        }
        return text.map(t -> parseSocksProxy(t, RuntimeConfigFile.SOCKS_URL + " in " + config.path()));
    }

    /**
     * {@code proxy.caFile} from the runtime config: the proxy's interception CA, which children are
     * made to trust (docs/tls.md); empty when it is not set.
     *
     * @throws ProxyRoutingException when the config is unreadable
     */
    public static Optional<Path> caFile(Optional<Path> configFile, Map<String, String> env, Path home) {
        try {
            return RuntimeConfigFile.load(RuntimeConfigFile.locate(configFile, env, home)).caFile();
        } catch (RuntimeConfigException e) {
            throw new ProxyRoutingException("proxy: " + e.getMessage());
        }
    }

    /**
     * A SOCKS proxy URL given by {@code source} (a config key, a command-line option).
     *
     * @throws ProxyRoutingException when it is not a {@code socks5h://host:port} URL; the message never shows credentials
     */
    public static ProxyUrl parseSocksProxy(String text, String source) {
        return ProxyUrl.tryParseSocks(text).orElseThrow(() -> new ProxyRoutingException("proxy: " + source + ": \""
                + UrlCredentials.redact(text.strip()) + "\" (" + RuntimeConfigFile.SOCKS_EXPECTED + ")"));
    }
}
