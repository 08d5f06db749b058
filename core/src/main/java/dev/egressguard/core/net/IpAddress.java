package dev.egressguard.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * An IPv4 or IPv6 address, optionally with an IPv6 zone id. Immutable; never touches DNS.
 *
 * <p>IPv6 addresses are held as two longs ({@link #high()}, {@link #low()}); IPv4 addresses as the
 * 32-bit value in the low word. {@link #high128()}/{@link #low128()} give the uniform 128-bit view
 * in which an IPv4 address is its IPv4-mapped form {@code ::ffff:a.b.c.d}; CIDR matching uses it,
 * so a rule written for {@code 10.0.0.0/8} also covers {@code ::ffff:10.1.2.3}.
 */
public final class IpAddress implements Comparable<IpAddress> {
    static final long MAPPED_PREFIX = 0x0000_ffff_0000_0000L;

    private final boolean ipv4;
    private final long high;
    private final long low;
    private final String zone;

    private IpAddress(boolean ipv4, long high, long low, String zone) {
        this.ipv4 = ipv4;
        this.high = high;
        this.low = low;
        this.zone = zone;
    }

    public static IpAddress ofIpv4(int bits) {
        return new IpAddress(true, 0L, bits & 0xffff_ffffL, null);
    }

    public static IpAddress ofIpv6(long high, long low) {
        return new IpAddress(false, high, low, null);
    }

    /** An IPv6 address with a zone id; {@code zone} may be null for none. */
    public static IpAddress ofIpv6(long high, long low, String zone) {
        if (zone != null && zone.isEmpty()) {
            throw new IllegalArgumentException("zone: \"\" (expected: null or a non-empty zone id)");
        }
        return new IpAddress(false, high, low, zone);
    }

    /** Converts without any lookup: the bytes of the address (and the scope of an IPv6 one) only. */
    public static IpAddress fromInetAddress(InetAddress address) {
        Objects.requireNonNull(address, "address");
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return ofIpv4(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff));
        }
        Inet6Address v6 = (Inet6Address) address;
        String zone = null;
        if (v6.getScopedInterface() != null) {
            zone = v6.getScopedInterface().getName();
        } else if (v6.getScopeId() != 0) {
            zone = Integer.toString(v6.getScopeId());
        }
        return new IpAddress(false, longAt(b, 0), longAt(b, 8), zone);
    }

    private static long longAt(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[offset + i] & 0xff);
        }
        return v;
    }

    public boolean isIpv4() {
        return ipv4;
    }

    public boolean isIpv6() {
        return !ipv4;
    }

    /** The IPv4 value; only meaningful when {@link #isIpv4()}. */
    public int ipv4Bits() {
        return (int) low;
    }

    /** High 64 bits of an IPv6 address (0 for IPv4). */
    public long high() {
        return high;
    }

    /** Low 64 bits of an IPv6 address, or the IPv4 value. */
    public long low() {
        return low;
    }

    /** High 64 bits in the uniform 128-bit view (IPv4 as {@code ::ffff:a.b.c.d}). */
    public long high128() {
        return ipv4 ? 0L : high;
    }

    /** Low 64 bits in the uniform 128-bit view (IPv4 as {@code ::ffff:a.b.c.d}). */
    public long low128() {
        return ipv4 ? MAPPED_PREFIX | low : low;
    }

    public Optional<String> zone() {
        return Optional.ofNullable(zone);
    }

    public IpAddress withoutZone() {
        return zone == null ? this : new IpAddress(ipv4, high, low, null);
    }

    /** True for {@code 127.0.0.0/8} and {@code ::1}, as written (an IPv4-mapped address is not unmapped here). */
    public boolean isLoopback() {
        return ipv4 ? (ipv4Bits() >>> 24) == 127 : high == 0 && low == 1;
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:0:0/96}), else empty. */
    public Optional<IpAddress> unmapIpv4() {
        if (!ipv4 && high == 0 && (low >>> 32) == 0xffffL) {
            return Optional.of(ofIpv4((int) low));
        }
        return Optional.empty();
    }

    /** Builds the {@link InetAddress} from the bytes; no lookup (an IPv4-mapped address becomes an Inet4Address). */
    public InetAddress toInetAddress() {
        try {
            if (ipv4) {
                return InetAddress.getByAddress(new byte[] {
                        (byte) (low >>> 24), (byte) (low >>> 16), (byte) (low >>> 8), (byte) low});
            }
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (high >>> (56 - 8 * i));
                b[8 + i] = (byte) (low >>> (56 - 8 * i));
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("fixed-length address rejected", e);
        }
    }

    /**
     * Canonical text: dotted decimal, or RFC 5952 IPv6 (with {@code %zone} when present). The two
     * well-known embeddings whose IPv4 part is what an operator needs to see print with a dotted
     * tail (RFC 5952 section 5): IPv4-mapped ({@code ::ffff:127.0.0.1}) and the NAT64 well-known
     * prefix ({@code 64:ff9b::127.0.0.1}).
     */
    @Override
    public String toString() {
        if (ipv4) {
            return dottedQuad((int) low);
        }
        StringBuilder sb = new StringBuilder(41);
        if (high == 0 && (low >>> 32) == 0xffffL) {
            sb.append("::ffff:").append(dottedQuad((int) low));
        } else if (high == 0x0064_ff9b_0000_0000L && (low >>> 32) == 0) {
            sb.append("64:ff9b::").append(dottedQuad((int) low));
        } else {
            appendRfc5952Groups(sb);
        }
        if (zone != null) {
            sb.append('%').append(zone);
        }
        return sb.toString();
    }

    private static String dottedQuad(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /** The eight groups in hex, the first longest run of two or more zero groups as {@code ::}. */
    private void appendRfc5952Groups(StringBuilder sb) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((high >>> (48 - 16 * i)) & 0xffff);
            g[i + 4] = (int) ((low >>> (48 - 16 * i)) & 0xffff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
    }

    /** The host part of a URI or authority: IPv6 in brackets (zone escaped as {@code %25}). */
    public String toUriHost() {
        if (ipv4) {
            return toString();
        }
        String text = withoutZone().toString();
        return zone == null ? "[" + text + "]" : "[" + text + "%25" + zone + "]";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof IpAddress)) {
            return false;
        }
        IpAddress other = (IpAddress) o;
        return ipv4 == other.ipv4 && high == other.high && low == other.low && Objects.equals(zone, other.zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ipv4, high, low, zone);
    }

    /** IPv4 before IPv6, then numeric order. */
    @Override
    public int compareTo(IpAddress o) {
        if (ipv4 != o.ipv4) {
            return ipv4 ? -1 : 1;
        }
        int c = Long.compareUnsigned(high, o.high);
        if (c == 0) {
            c = Long.compareUnsigned(low, o.low);
        }
        if (c == 0) {
            c = Objects.compare(zone, o.zone, (a, b) -> a == null ? (b == null ? 0 : -1) : b == null ? 1 : a.compareTo(b));
        }
        return c;
    }
}
