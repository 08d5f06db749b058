package dev.egressguard.config;

import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.policy.Policy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated policy file: the destination {@link Policy} plus how the proxy runs it.
 *
 * @param source       where it came from ({@code embedded default} or a path), for banners and messages
 * @param listen       the proxy's listen address
 * @param access       who may use the proxy: {@code clients}, PROXY protocol, {@code auth}
 * @param admin        the admin listener
 * @param destinations who may go where: {@code identities} and their {@code destinations}
 * @param approvals    the approver {@code ask} consults; empty when none is configured (then nothing asks)
 * @param socksListen  the SOCKS5 listener's address ({@code socks.listen}); empty: no SOCKS5 listener
 * @param tls          TLS interception: the CA, upstream trust, and which tunnels are intercepted ({@link TlsSettings#none()}: none)
 */
public record PolicyFile(String source, HostPort listen, AccessSettings access, Policy policy, DnsSettings dns,
                         Limits limits, AuditSettings audit, AdminSettings admin, DestinationPolicy destinations,
                         Optional<ApprovalSettings> approvals, Optional<HostPort> socksListen, TlsSettings tls) {
    public static final String EMBEDDED_SOURCE = "embedded default";

    public PolicyFile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(destinations, "destinations");
        Objects.requireNonNull(approvals, "approvals");
        Objects.requireNonNull(socksListen, "socksListen");
        Objects.requireNonNull(tls, "tls");
        if (destinations.asks() && approvals.isEmpty()) {
            throw new IllegalArgumentException("destinations ask, but approvals is not set (expected: approvals.url)");
        }
    }

    /** Source CIDRs allowed to use the proxy. */
    public List<IpRange> clientsAllow() {
        return access.clientsAllow();
    }

    /** This file listening elsewhere ({@code --listen}). */
    public PolicyFile withListen(HostPort address) {
        return new PolicyFile(source, address, access, policy, dns, limits, audit, admin, destinations, approvals, socksListen, tls);
    }

    /** This file with other DNS settings (a reload keeps the resolver the proxy started with). */
    public PolicyFile withDns(DnsSettings settings) {
        return new PolicyFile(source, listen, access, policy, settings, limits, audit, admin, destinations, approvals, socksListen, tls);
    }

    /** This file with another SOCKS5 listener ({@code --socks-listen}), or none. */
    public PolicyFile withSocksListen(Optional<HostPort> address) {
        return new PolicyFile(source, listen, access, policy, dns, limits, audit, admin, destinations, approvals, address, tls);
    }

    /** This file with another admin listener ({@code --admin-listen}). */
    public PolicyFile withAdmin(AdminSettings settings) {
        return new PolicyFile(source, listen, access, policy, dns, limits, audit, settings, destinations, approvals, socksListen, tls);
    }
}
