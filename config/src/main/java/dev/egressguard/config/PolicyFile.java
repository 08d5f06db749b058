package dev.egressguard.config;

import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Policy;
import java.util.List;
import java.util.Objects;

/**
 * A validated policy file: the destination {@link Policy} plus how the proxy runs it.
 *
 * @param source       where it came from ({@code embedded default} or a path), for banners and messages
 * @param listen       the proxy's listen address
 * @param clientsAllow source CIDRs allowed to use the proxy
 */
public record PolicyFile(String source, HostPort listen, List<IpRange> clientsAllow, Policy policy, DnsSettings dns,
                         Limits limits, AuditSettings audit) {
    public static final String EMBEDDED_SOURCE = "embedded default";

    public PolicyFile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(listen, "listen");
        clientsAllow = List.copyOf(clientsAllow);
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(audit, "audit");
    }
}
