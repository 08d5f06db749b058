package dev.egressguard.core.classify;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Reason;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Puts an address in its class: the built-in {@link SpecialUseRanges}, the embedded-IPv4 forms
 * ({@link EmbeddingKind}, judged per {@link EmbeddedIpv4Mode}), then the operator's extra denied
 * ranges. Immutable and thread-safe; classifying allocates nothing.
 */
public final class AddressClassifier {
    private static final AddressClassifier DEFAULT = new AddressClassifier(EmbeddedIpv4Mode.BLOCK_PREFIX, List.of());

    private final EmbeddedIpv4Mode mode;
    private final int[] v4Mask;
    private final int[] v4Value;
    private final Classification[] v4Class;
    private final long[] v6MaskHigh;
    private final long[] v6MaskLow;
    private final long[] v6ValueHigh;
    private final long[] v6ValueLow;
    private final Classification[] v6Class;
    private final IpRange[] extra;
    private final Classification[] extraClass;
    private final Map<EmbeddingKind, Classification> prefixDenied = new EnumMap<>(EmbeddingKind.class);

    private AddressClassifier(EmbeddedIpv4Mode mode, List<DeniedRange> extraDenied) {
        this.mode = Objects.requireNonNull(mode, "mode");
        List<SpecialUseRanges.Entry> v4 = new ArrayList<>();
        List<SpecialUseRanges.Entry> v6 = new ArrayList<>();
        for (SpecialUseRanges.Entry e : SpecialUseRanges.METADATA) {
            (e.range().isIpv4() ? v4 : v6).add(e);
        }
        v4.addAll(SpecialUseRanges.IPV4);
        v6.addAll(SpecialUseRanges.IPV6);

        v4Mask = new int[v4.size()];
        v4Value = new int[v4.size()];
        v4Class = new Classification[v4.size()];
        for (int i = 0; i < v4.size(); i++) {
            IpRange r = v4.get(i).range();
            v4Mask[i] = r.prefixLength() == 0 ? 0 : -1 << (32 - r.prefixLength());
            v4Value[i] = r.first().ipv4Bits();
            v4Class[i] = classificationOf(v4.get(i));
        }
        v6MaskHigh = new long[v6.size()];
        v6MaskLow = new long[v6.size()];
        v6ValueHigh = new long[v6.size()];
        v6ValueLow = new long[v6.size()];
        v6Class = new Classification[v6.size()];
        for (int i = 0; i < v6.size(); i++) {
            IpRange r = v6.get(i).range();
            int bits = r.prefixLength();
            v6MaskHigh[i] = bits == 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
            v6MaskLow[i] = bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
            v6ValueHigh[i] = r.first().high();
            v6ValueLow[i] = r.first().low();
            v6Class[i] = classificationOf(v6.get(i));
        }
        extra = new IpRange[extraDenied.size()];
        extraClass = new Classification[extraDenied.size()];
        for (int i = 0; i < extraDenied.size(); i++) {
            extra[i] = extraDenied.get(i).range();
            extraClass[i] = Classification.denied(extra[i], Reason.IP_DENIED_RANGE, extraDenied.get(i).rule());
        }
        for (EmbeddingKind kind : EmbeddingKind.values()) {
            kind.prefix().ifPresent(p -> prefixDenied.put(kind,
                    Classification.denied(p, Reason.IP_EMBEDDED_IPV4, "default:" + kind.prefixText())));
        }
    }

    private static Classification classificationOf(SpecialUseRanges.Entry e) {
        return e.reason().map(r -> Classification.denied(e.range(), r, e.rule()))
                .orElseGet(() -> Classification.carvedOut(e.range()));
    }

    /** The built-in classifier in the default {@link EmbeddedIpv4Mode#BLOCK_PREFIX} mode. */
    public static AddressClassifier defaults() {
        return DEFAULT;
    }

    public static AddressClassifier of(EmbeddedIpv4Mode mode, List<DeniedRange> extraDenied) {
        if (mode == EmbeddedIpv4Mode.BLOCK_PREFIX && extraDenied.isEmpty()) {
            return DEFAULT;
        }
        return new AddressClassifier(mode, List.copyOf(extraDenied));
    }

    public EmbeddedIpv4Mode mode() {
        return mode;
    }

    public Classification classify(IpAddress address) {
        return address.isIpv4() ? classifyIpv4(address.ipv4Bits()) : classifyIpv6(address.high(), address.low());
    }

    /** Classifies a resolver's answer without copying its bytes for IPv4. */
    public Classification classify(InetAddress address) {
        if (address instanceof Inet4Address) {
            // Inet4Address.hashCode() is the address value (OpenJDK 8..25; AddressClassifierTest pins it).
            return classifyIpv4(address.hashCode());
        }
        return classify(IpAddress.fromInetAddress(address));
    }

    public Classification classifyIpv4(int bits) {
        for (int i = 0; i < v4Mask.length; i++) {
            if ((bits & v4Mask[i]) == v4Value[i]) {
                return v4Class[i];
            }
        }
        return extraFor(0L, 0x0000_ffff_0000_0000L | (bits & 0xffff_ffffL));
    }

    public Classification classifyIpv6(long high, long low) {
        EmbeddingKind kind = EmbeddingKind.of(high, low);
        if (kind != null && kind != EmbeddingKind.ISATAP) {
            if (mode == EmbeddedIpv4Mode.BLOCK_PREFIX) {
                return prefixDenied.get(kind);
            }
            Classification inner = classifyIpv4(kind.ipv4(high, low));
            if (inner.isDenied()) {
                return inner.via(kind);
            }
            // A 6to4 or Teredo prefix above an ISATAP interface id carries a second IPv4: judge it too.
            return isatapOrExtra(high, low);
        }
        for (int i = 0; i < v6Class.length; i++) {
            if ((high & v6MaskHigh[i]) == v6ValueHigh[i] && (low & v6MaskLow[i]) == v6ValueLow[i]) {
                if (v6Class[i].isDenied()) {
                    return v6Class[i];
                }
                break; // a globally reachable carve-out: an ISATAP interface id inside it is still judged
            }
        }
        return isatapOrExtra(high, low);
    }

    /** ISATAP is judged by its IPv4 under any prefix and in either mode; then the operator's ranges. */
    private Classification isatapOrExtra(long high, long low) {
        if (EmbeddingKind.hasIsatapInterfaceId(low)) {
            Classification inner = classifyIpv4(EmbeddingKind.ISATAP.ipv4(high, low));
            if (inner.isDenied()) {
                return inner.via(EmbeddingKind.ISATAP);
            }
        }
        return extraFor(high, low);
    }

    private Classification extraFor(long high128, long low128) {
        for (int i = 0; i < extra.length; i++) {
            if (extra[i].contains128(high128, low128)) {
                return extraClass[i];
            }
        }
        return Classification.PUBLIC;
    }
}
