package dev.egressguard.core.classify;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Reason;
import java.util.List;

/**
 * The built-in denied address space: the spec's "Recommended Blocked Destinations" table united
 * with OpenClaw's application-level classifier. Order matters: first match wins, so specific
 * entries (metadata addresses, carve-outs) come before the ranges that contain them.
 */
public final class SpecialUseRanges {
    private SpecialUseRanges() {}

    /** One row of the table. A {@code null} reason marks a globally reachable carve-out. */
    public static final class Entry {
        private final IpRange range;
        private final Reason reason;

        Entry(String cidr, Reason reason) {
            this.range = IpRange.parse(cidr);
            this.reason = reason;
        }

        public IpRange range() {
            return range;
        }

        /** The deny reason; empty for a globally reachable carve-out. */
        public java.util.Optional<Reason> reason() {
            return java.util.Optional.ofNullable(reason);
        }

        public String rule() {
            return "default:" + range;
        }
    }

    /** Cloud metadata service addresses: opened only by an allow rule naming the exact address. */
    public static final List<Entry> METADATA = List.of(
            new Entry("169.254.169.254/32", Reason.IP_METADATA),   // AWS, GCP, Azure, OCI, DigitalOcean
            new Entry("100.100.100.200/32", Reason.IP_METADATA),   // Alibaba Cloud
            new Entry("fd00:ec2::254/128", Reason.IP_METADATA));   // AWS IPv6 IMDS

    public static final List<Entry> IPV4 = List.of(
            new Entry("0.0.0.0/8", Reason.IP_UNSPECIFIED),
            new Entry("10.0.0.0/8", Reason.IP_PRIVATE),
            new Entry("100.64.0.0/10", Reason.IP_CGNAT),
            new Entry("127.0.0.0/8", Reason.IP_LOOPBACK),
            new Entry("169.254.0.0/16", Reason.IP_LINK_LOCAL),
            new Entry("172.16.0.0/12", Reason.IP_PRIVATE),
            new Entry("192.0.0.0/24", Reason.IP_SPECIAL_USE),
            new Entry("192.0.2.0/24", Reason.IP_DOCUMENTATION),
            new Entry("192.88.99.0/24", Reason.IP_SPECIAL_USE),    // deprecated 6to4 relay anycast
            new Entry("192.168.0.0/16", Reason.IP_PRIVATE),
            new Entry("198.18.0.0/15", Reason.IP_BENCHMARK),       // RFC 2544
            new Entry("198.51.100.0/24", Reason.IP_DOCUMENTATION),
            new Entry("203.0.113.0/24", Reason.IP_DOCUMENTATION),
            new Entry("224.0.0.0/4", Reason.IP_MULTICAST),
            new Entry("240.0.0.0/4", Reason.IP_RESERVED));         // includes 255.255.255.255

    /**
     * IPv6 space outside the embedded-IPv4 forms (those are {@link EmbeddingKind}). The carve-outs
     * inside 2001::/23 are globally reachable per the IANA special-purpose registry.
     */
    public static final List<Entry> IPV6 = List.of(
            new Entry("::/128", Reason.IP_UNSPECIFIED),
            new Entry("::1/128", Reason.IP_LOOPBACK),
            new Entry("64:ff9b:1::/48", Reason.IP_EMBEDDED_IPV4),  // RFC 8215 local-use NAT64: never trusted
            new Entry("100::/64", Reason.IP_SPECIAL_USE),          // discard-only
            new Entry("2001:2::/48", Reason.IP_BENCHMARK),
            new Entry("2001:3::/32", null),                        // AMT
            new Entry("2001:4:112::/48", null),                    // AS112-v6
            new Entry("2001:10::/28", null),                       // deprecated ORCHID
            new Entry("2001:20::/28", Reason.IP_SPECIAL_USE),      // ORCHIDv2
            new Entry("2001:30::/28", null),                       // DRIP entity tags
            new Entry("2001::/23", Reason.IP_SPECIAL_USE),         // IETF protocol assignments
            new Entry("2001:db8::/32", Reason.IP_DOCUMENTATION),
            new Entry("3fff::/20", Reason.IP_DOCUMENTATION),
            new Entry("fc00::/7", Reason.IP_UNIQUE_LOCAL),
            new Entry("fe80::/10", Reason.IP_LINK_LOCAL),
            new Entry("fec0::/10", Reason.IP_SITE_LOCAL),
            new Entry("ff00::/8", Reason.IP_MULTICAST));

    /**
     * True when {@code address} is a metadata address or carries one embedded in any IPv6 form
     * (mapped, NAT64, 6to4, Teredo, ISATAP), whatever the embedded-IPv4 mode.
     */
    public static boolean isMetadata(IpAddress address) {
        if (isMetadataExactly(address)) {
            return true;
        }
        if (address.isIpv4()) {
            return false;
        }
        EmbeddingKind kind = EmbeddingKind.of(address.high(), address.low());
        if (kind != null && isMetadataExactly(IpAddress.ofIpv4(kind.ipv4(address.high(), address.low())))) {
            return true;
        }
        return EmbeddingKind.hasIsatapInterfaceId(address.low())
                && isMetadataExactly(IpAddress.ofIpv4(EmbeddingKind.ISATAP.ipv4(address.high(), address.low())));
    }

    private static boolean isMetadataExactly(IpAddress address) {
        for (Entry e : METADATA) {
            if (e.range().contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Every built-in entry, in the order {@code policy show} prints them. */
    public static List<Entry> all() {
        return java.util.stream.Stream.of(METADATA, IPV4, IPV6).flatMap(List::stream).collect(java.util.stream.Collectors.toUnmodifiableList());
    }
}
