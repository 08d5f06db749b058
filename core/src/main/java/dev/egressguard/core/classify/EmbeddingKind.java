package dev.egressguard.core.classify;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpRange;
import java.util.Optional;

/** The IPv6 forms that carry an IPv4 address, and where each keeps it. Allocation-free lookups. */
public enum EmbeddingKind {
    /** {@code ::ffff:0:0/96}: the last 32 bits. */
    IPV4_MAPPED("::ffff:0:0/96"),
    /** {@code ::ffff:0:0:0/96} (SIIT, RFC 6145): the last 32 bits. */
    IPV4_TRANSLATED("::ffff:0:0:0/96"),
    /** {@code ::/96} less {@code ::} and {@code ::1}: the last 32 bits. */
    IPV4_COMPATIBLE("::/96"),
    /** {@code 64:ff9b::/96} (RFC 6052): the last 32 bits. */
    NAT64("64:ff9b::/96"),
    /** {@code 2002::/16}: bits 16..47. */
    SIX_TO_FOUR("2002::/16"),
    /** {@code 2001::/32}: the client address, the last 32 bits inverted. */
    TEREDO("2001::/32"),
    /** Any /64 with interface identifier {@code [02]00:5efe:a.b.c.d} (RFC 5214): the last 32 bits. */
    ISATAP("isatap");

    private final String prefixText;
    private final IpRange prefix;

    EmbeddingKind(String prefixText) {
        this.prefixText = prefixText;
        this.prefix = prefixText.indexOf('/') < 0 ? null : IpRange.parse(prefixText);
    }

    /** The prefix as operators write it; {@code isatap} for ISATAP, whose marker is in the interface id. */
    public String prefixText() {
        return prefixText;
    }

    /** The prefix as a range, except for ISATAP. */
    public Optional<IpRange> prefix() {
        return Optional.ofNullable(prefix);
    }

    /** The kind of an IPv6 address given as two longs, or null when it embeds nothing. */
    public static EmbeddingKind of(long high, long low) {
        if (high == 0) {
            long top = low >>> 32;
            if (top == 0xffffL) {
                return IPV4_MAPPED;
            }
            if (top == 0xffff_0000L) {
                return IPV4_TRANSLATED;
            }
            if (top == 0 && (low & 0xffff_fffeL) != 0) {
                return IPV4_COMPATIBLE;
            }
            return hasIsatapInterfaceId(low) ? ISATAP : null; // ISATAP under ::/64 too
        }
        if (high == 0x0064_ff9b_0000_0000L && (low >>> 32) == 0) {
            return NAT64;
        }
        if ((high >>> 48) == 0x2002L) {
            return SIX_TO_FOUR;
        }
        if ((high >>> 32) == 0x2001_0000L) {
            return TEREDO;
        }
        return hasIsatapInterfaceId(low) ? ISATAP : null;
    }

    /**
     * True when the interface identifier (the low 64 bits) is an ISATAP one, {@code [02]00:5efe:a.b.c.d}
     * with any u/g bits, whatever the prefix above it: 6to4 and Teredo prefixes included.
     */
    public static boolean hasIsatapInterfaceId(long low) {
        return ((low >>> 48) & 0xfcffL) == 0 && ((low >>> 32) & 0xffffL) == 0x5efeL;
    }

    /** The embedded IPv4 value, for an address of this kind. */
    public int ipv4(long high, long low) {
        switch (this) {
            case SIX_TO_FOUR:
                return (int) (high >>> 16);
            case TEREDO:
                return ~(int) low;
            default:
                return (int) low;
        }
    }

    /** The IPv4 address an IPv6 address carries, if any. {@code 64:ff9b:1::/48} carries none that can be trusted. */
    public static Optional<IpAddress> extract(IpAddress address) {
        if (address.isIpv4()) {
            return Optional.empty();
        }
        EmbeddingKind kind = of(address.high(), address.low());
        return kind == null ? Optional.empty() : Optional.of(IpAddress.ofIpv4(kind.ipv4(address.high(), address.low())));
    }
}
