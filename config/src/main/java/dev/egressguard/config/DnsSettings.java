package dev.egressguard.config;

import dev.egressguard.core.net.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the proxy resolves names.
 *
 * @param servers DNS servers as IP:port; empty means the system's ({@code /etc/resolv.conf}, with
 *                {@code /etc/hosts} honoured)
 * @param timeout how long one resolution may take before the request fails with {@code dns.timeout}
 */
public record DnsSettings(List<HostPort> servers, Duration timeout) {
    private static final DnsSettings DEFAULTS = new DnsSettings(List.of(), Duration.ofSeconds(5));

    public DnsSettings {
        servers = List.copyOf(servers);
        Objects.requireNonNull(timeout, "timeout");
    }

    public static DnsSettings defaults() {
        return DEFAULTS;
    }
}
