package dev.egressguard.client.routing;

import java.util.Map;
import java.util.Optional;

/**
 * The spec's container rule: a container-targeted command gets {@code OPENCLAW_PROXY_URL} (trimmed)
 * when it is set, but a loopback proxy URL is refused, because {@code 127.0.0.1} inside a container
 * is the container itself, unless {@code OPENCLAW_CONTAINER_ALLOW_LOOPBACK_PROXY_URL} is exactly
 * {@code 1}. Text that is not a URL is forwarded unchanged (the routing check inside the
 * container refuses it).
 */
public final class ContainerProxyForwarding {
    public static final String ALLOW_LOOPBACK = "OPENCLAW_CONTAINER_ALLOW_LOOPBACK_PROXY_URL";

    private ContainerProxyForwarding() {}

    /**
     * The value to forward into the container, empty when there is none.
     *
     * @throws ProxyRoutingException for a loopback URL without the override
     */
    public static Optional<String> forwardedValue(Map<String, String> env) {
        String raw = env.get(RoutingConfig.ENV_PROXY_URL);
        if (raw == null) {
            return Optional.empty();
        }
        String value = raw.strip();
        Optional<ProxyUrl> url = ProxyUrl.tryParse(value);
        if (url.isPresent() && url.get().isLoopback() && !"1".equals(env.get(ALLOW_LOOPBACK))) {
            throw new ProxyRoutingException(RoutingConfig.ENV_PROXY_URL + "=" + url.get().redacted()
                    + " is loopback; 127.0.0.1 inside a container points at the container, not the host."
                    + " Use a container-reachable proxy address, or set " + ALLOW_LOOPBACK + "=1 if this is intentional.");
        }
        return Optional.of(value);
    }
}
