package dev.egressguard.core.net;

import java.util.Objects;
import java.util.Optional;

/**
 * A CIDR block. Matching happens in the uniform 128-bit view of {@link IpAddress}, so an IPv4
 * block {@code 10.0.0.0/8} is {@code ::ffff:10.0.0.0/104} and also covers IPv4-mapped addresses.
 * Zone ids never take part in matching.
 */
public final class IpRange {
    private final IpAddress network;
    private final int prefixLength;
    private final long maskHigh;
    private final long maskLow;
    private final long valueHigh;
    private final long valueLow;

    private IpRange(IpAddress network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
        int bits = network.isIpv4() ? prefixLength + 96 : prefixLength;
        this.maskHigh = bits == 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
        this.maskLow = bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
        this.valueHigh = network.high128() & maskHigh;
        this.valueLow = network.low128() & maskLow;
    }

    /** A block from its network address; throws if host bits are set or the length is out of range. */
    public static IpRange of(IpAddress network, int prefixLength) {
        Objects.requireNonNull(network, "network");
        int max = network.isIpv4() ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefixLength: " + prefixLength + " (expected: 0.." + max + ")");
        }
        IpRange range = new IpRange(network.withoutZone(), prefixLength);
        if (!range.network.equals(range.first())) {
            throw new IllegalArgumentException("network: " + network + "/" + prefixLength
                    + " (expected: the network address " + range.first() + "/" + prefixLength + ")");
        }
        return range;
    }

    /** The block of {@code prefixLength} that contains {@code address} (host bits cleared). */
    public static IpRange enclosing(IpAddress address, int prefixLength) {
        int max = address.isIpv4() ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefixLength: " + prefixLength + " (expected: 0.." + max + ")");
        }
        IpRange r = new IpRange(address.withoutZone(), prefixLength);
        return new IpRange(r.first(), prefixLength);
    }

    /** The single-address block of {@code address} (/32 or /128). */
    public static IpRange ofAddress(IpAddress address) {
        return new IpRange(address.withoutZone(), address.isIpv4() ? 32 : 128);
    }

    /**
     * Parses {@code a.b.c.d/n}, {@code x::y/n}, or a bare address (a single-address block).
     * Throws {@link IllegalArgumentException} whose message is {@code "text" (expected: …)}.
     */
    public static IpRange parse(String text) {
        Optional<String> problem = problem(text);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("\"" + text + "\" (expected: " + problem.get() + ")");
        }
        return parseValid(text);
    }

    public static Optional<IpRange> tryParse(String text) {
        return problem(text).isPresent() ? Optional.empty() : Optional.of(parseValid(text));
    }

    /** What is wrong with {@code text} as a CIDR block, phrased as the expectation; empty when valid. */
    public static Optional<String> problem(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.of("a CIDR block such as 10.0.0.0/8 or fd00::/8");
        }
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        Optional<IpAddress> address = IpLiterals.tryParse(addressText);
        if (address.isEmpty()) {
            return Optional.of("a CIDR block such as 10.0.0.0/8 or fd00::/8; \"" + addressText + "\" is not an IP literal");
        }
        if (address.get().zone().isPresent()) {
            return Optional.of("an address without a zone id");
        }
        if (slash < 0) {
            return Optional.empty();
        }
        int max = address.get().isIpv4() ? 32 : 128;
        String lengthText = text.substring(slash + 1);
        int length = parsePrefixLength(lengthText);
        if (length < 0 || length > max) {
            return Optional.of("prefix length 0.." + max);
        }
        IpRange range = new IpRange(address.get(), length);
        if (!range.first().equals(address.get())) {
            return Optional.of("the network address " + range.first() + "/" + length + "; host bits are set");
        }
        return Optional.empty();
    }

    private static IpRange parseValid(String text) {
        int slash = text.indexOf('/');
        IpAddress address = IpLiterals.parse(slash < 0 ? text : text.substring(0, slash));
        if (slash < 0) {
            return ofAddress(address);
        }
        return new IpRange(address, parsePrefixLength(text.substring(slash + 1)));
    }

    private static int parsePrefixLength(String text) {
        if (text.isEmpty() || text.length() > 3) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9' || (i == 0 && c == '0' && text.length() > 1)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    public boolean contains(IpAddress address) {
        return (address.high128() & maskHigh) == valueHigh && (address.low128() & maskLow) == valueLow;
    }

    /** Raw uniform-view match, for allocation-free callers. */
    public boolean contains128(long high, long low) {
        return (high & maskHigh) == valueHigh && (low & maskLow) == valueLow;
    }

    /** True when every address of {@code other} is in this block. */
    public boolean contains(IpRange other) {
        return uniformPrefixLength() <= other.uniformPrefixLength()
                && contains128(other.valueHigh, other.valueLow);
    }

    public boolean overlaps(IpRange other) {
        return contains(other) || other.contains(this);
    }

    public boolean isIpv4() {
        return network.isIpv4();
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** The prefix length in the uniform 128-bit view (IPv4 lengths plus 96). */
    public int uniformPrefixLength() {
        return network.isIpv4() ? prefixLength + 96 : prefixLength;
    }

    public boolean isSingleAddress() {
        return prefixLength == (network.isIpv4() ? 32 : 128);
    }

    public IpAddress first() {
        return network.isIpv4() ? IpAddress.ofIpv4((int) valueLow) : IpAddress.ofIpv6(valueHigh, valueLow);
    }

    public IpAddress last() {
        long high = valueHigh | ~maskHigh;
        long low = valueLow | ~maskLow;
        return network.isIpv4() ? IpAddress.ofIpv4((int) low) : IpAddress.ofIpv6(high, low);
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange && ((IpRange) o).network.equals(network) && ((IpRange) o).prefixLength == prefixLength;
    }

    @Override
    public int hashCode() {
        return network.hashCode() * 31 + prefixLength;
    }
}
