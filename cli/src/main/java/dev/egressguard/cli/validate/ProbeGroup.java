package dev.egressguard.cli.validate;

/**
 * The report's sections: the rows of the spec's "Recommended Blocked Destinations" table, in its
 * order, then what egressguard's default policy adds, then the probes that are not one address.
 */
public enum ProbeGroup {
    LOOPBACK_V4("127.0.0.0/8, localhost, localhost.localdomain", "IPv4 loopback"),
    LOOPBACK_V6("::1/128", "IPv6 loopback"),
    UNSPECIFIED("0.0.0.0/8, ::/128", "Unspecified and this-network addresses"),
    PRIVATE("10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16", "RFC1918 private networks"),
    LINK_LOCAL("169.254.0.0/16, fe80::/10", "Link-local addresses"),
    METADATA("169.254.169.254, metadata.google.internal", "Cloud metadata services (and 100.100.100.200, fd00:ec2::254)"),
    CGNAT("100.64.0.0/10", "Carrier-grade NAT shared address space"),
    BENCHMARK("198.18.0.0/15, 2001:2::/48", "Benchmarking ranges"),
    DOCUMENTATION("192.0.0.0/24, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32", "Special-use and documentation ranges"),
    MULTICAST("224.0.0.0/4, ff00::/8", "Multicast"),
    RESERVED("240.0.0.0/4", "Reserved IPv4"),
    IPV6_LOCAL("fc00::/7, fec0::/10", "IPv6 local/private ranges"),
    DISCARD_ORCHID("100::/64, 2001:20::/28", "IPv6 discard and ORCHIDv2 ranges"),
    NAT64("64:ff9b::/96, 64:ff9b:1::/48", "NAT64 prefixes with embedded IPv4"),
    SIX_TO_FOUR_TEREDO("2002::/16, 2001::/32", "6to4 and Teredo with embedded IPv4"),
    MAPPED_COMPATIBLE("::/96, ::ffff:0:0/96", "IPv4-compatible and IPv4-mapped IPv6"),
    DEFAULT_POLICY("*.local, *.internal, 192.88.99.0/24, 2001::/23, 3fff::/20, ::ffff:0:0:0/96, ISATAP",
            "egressguard's default policy beyond the spec's table"),
    WEBSOCKET("WebSocket", "Upgrade to a loopback canary through the proxy"),
    DNS_REBINDING("DNS rebinding", "A name you control that answers loopback (--dns-rebind)"),
    PUBLIC("Public destination", "The spec: \"the public request should succeed\" (--public-url)");

    private final String title;
    private final String why;

    ProbeGroup(String title, String why) {
        this.title = title;
        this.why = why;
    }

    public String title() {
        return title;
    }

    public String why() {
        return why;
    }
}
