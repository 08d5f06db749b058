package dev.egressguard.core.policy;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import java.util.Optional;

/**
 * A target after the host rules: the canonical host (ASCII name or IP text), its IP when the host
 * is a literal, the port ({@code 0} when unknown), and the host allow rule that names it, if any.
 */
public final class Destination {
    private final String host;
    private final IpAddress literal;
    private final int port;
    private final AllowRule hostRule;

    Destination(String host, IpAddress literal, int port, AllowRule hostRule) {
        this.host = host;
        this.literal = literal;
        this.port = port;
        this.hostRule = hostRule;
    }

    public String host() {
        return host;
    }

    /** The address, when the host is an IP literal: no resolution happens then. */
    public Optional<IpAddress> literal() {
        return Optional.ofNullable(literal);
    }

    public int port() {
        return port;
    }

    /** The host allow rule naming this host, if any. */
    public Optional<AllowRule> hostRule() {
        return Optional.ofNullable(hostRule);
    }

    @Override
    public String toString() {
        String h = Hostnames.bracketIpv6(host);
        return port == 0 ? h : h + ":" + port;
    }
}
