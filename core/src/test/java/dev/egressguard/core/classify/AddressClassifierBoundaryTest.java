package dev.egressguard.core.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Reason;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The edges of every built-in range and every embedding prefix, in both {@link EmbeddedIpv4Mode}s.
 *
 * <p>The generated cases take their expectations from a small model of the documented rules
 * (design.md, "The default policy"; docs/policy.md) written here against the table itself, so a new
 * row in {@link SpecialUseRanges} is covered without touching this file. The named table below
 * pins the same rules with hand-written expectations.
 */
class AddressClassifierBoundaryTest {
    private static final AddressClassifier BLOCK = AddressClassifier.defaults();
    private static final AddressClassifier DECODE = AddressClassifier.of(EmbeddedIpv4Mode.DECODE, List.of());
    private static final Map<EmbeddedIpv4Mode, AddressClassifier> CLASSIFIERS =
            Map.of(EmbeddedIpv4Mode.BLOCK_PREFIX, BLOCK, EmbeddedIpv4Mode.DECODE, DECODE);

    // ---------------------------------------------------------------------------------------------
    // The model
    // ---------------------------------------------------------------------------------------------

    /** What an address should classify as; {@code range} and {@code via} are checked for denials only. */
    record Expected(Reason reason, Reason rangeReason, String rule, IpRange range, EmbeddingKind via) {
        static final Expected PUBLIC = new Expected(Reason.IP_PUBLIC, Reason.IP_PUBLIC, null, null, null);

        boolean denied() {
            return reason != Reason.IP_PUBLIC;
        }

        Expected through(EmbeddingKind kind) {
            return denied() ? new Expected(Reason.IP_EMBEDDED_IPV4, rangeReason, rule + " via " + kind.prefixText(), range, kind)
                    : PUBLIC;
        }

        @Override
        public String toString() {
            return reason.code() + (reason != rangeReason ? "/" + rangeReason.code() : "") + (rule == null ? "" : " (" + rule + ")");
        }
    }

    private static List<SpecialUseRanges.Entry> v4Entries() {
        List<SpecialUseRanges.Entry> out = new ArrayList<>();
        SpecialUseRanges.METADATA.stream().filter(e -> e.range().isIpv4()).forEach(out::add);
        out.addAll(SpecialUseRanges.IPV4);
        return out;
    }

    private static List<SpecialUseRanges.Entry> v6Entries() {
        List<SpecialUseRanges.Entry> out = new ArrayList<>();
        SpecialUseRanges.METADATA.stream().filter(e -> !e.range().isIpv4()).forEach(out::add);
        out.addAll(SpecialUseRanges.IPV6);
        return out;
    }

    private static Expected fromEntry(SpecialUseRanges.Entry e) {
        return e.reason().map(r -> new Expected(r, r, e.rule(), e.range(), null)).orElse(Expected.PUBLIC);
    }

    /** First matching IPv4 row (metadata first), else public. */
    static Expected modelIpv4(int bits) {
        IpAddress a = IpAddress.ofIpv4(bits);
        for (SpecialUseRanges.Entry e : v4Entries()) {
            if (e.range().contains(a)) {
                return fromEntry(e);
            }
        }
        return Expected.PUBLIC;
    }

    private static final IpRange MAPPED = IpRange.parse("::ffff:0:0/96");
    private static final IpRange TRANSLATED = IpRange.parse("::ffff:0:0:0/96");
    private static final IpRange COMPATIBLE = IpRange.parse("::/96");
    private static final IpRange NAT64 = IpRange.parse("64:ff9b::/96");
    private static final IpRange SIX_TO_FOUR = IpRange.parse("2002::/16");
    private static final IpRange TEREDO = IpRange.parse("2001::/32");

    /** The embedding of an IPv6 address, written from the documented prefixes (not from EmbeddingKind.of). */
    static EmbeddingKind modelKind(IpAddress a) {
        if (MAPPED.contains(a)) {
            return EmbeddingKind.IPV4_MAPPED;
        }
        if (TRANSLATED.contains(a)) {
            return EmbeddingKind.IPV4_TRANSLATED;
        }
        if (COMPATIBLE.contains(a) && Long.compareUnsigned(a.low(), 1) > 0) {
            return EmbeddingKind.IPV4_COMPATIBLE;
        }
        if (NAT64.contains(a)) {
            return EmbeddingKind.NAT64;
        }
        if (SIX_TO_FOUR.contains(a)) {
            return EmbeddingKind.SIX_TO_FOUR;
        }
        if (TEREDO.contains(a)) {
            return EmbeddingKind.TEREDO;
        }
        int iidHigh = (int) (a.low() >>> 48) & 0xffff;
        int iidNext = (int) (a.low() >>> 32) & 0xffff;
        if ((iidHigh & 0xfcff) == 0 && iidNext == 0x5efe) {
            return EmbeddingKind.ISATAP;
        }
        return null;
    }

    static int modelEmbedded(EmbeddingKind kind, IpAddress a) {
        switch (kind) {
            case SIX_TO_FOUR:
                return (int) ((a.high() >>> 16) & 0xffff_ffffL);
            case TEREDO:
                return ~(int) a.low();
            default:
                return (int) a.low();
        }
    }

    /**
     * The documented IPv6 rule: embedded forms by prefix (block-prefix) or by their IPv4
     * (decode); then the IPv6 table (a carve-out is globally reachable); ISATAP always by its IPv4.
     */
    static Expected modelIpv6(IpAddress a, EmbeddedIpv4Mode mode) {
        EmbeddingKind kind = modelKind(a);
        if (kind != null && kind != EmbeddingKind.ISATAP) {
            if (mode == EmbeddedIpv4Mode.BLOCK_PREFIX) {
                return new Expected(Reason.IP_EMBEDDED_IPV4, Reason.IP_EMBEDDED_IPV4, "default:" + kind.prefixText(),
                        kind.prefix().orElseThrow(), null);
            }
            return modelIpv4(modelEmbedded(kind, a)).through(kind);
        }
        for (SpecialUseRanges.Entry e : v6Entries()) {
            if (e.range().contains(a)) {
                if (e.reason().isPresent()) {
                    return fromEntry(e);
                }
                break;
            }
        }
        if (kind == EmbeddingKind.ISATAP) {
            return modelIpv4(modelEmbedded(kind, a)).through(kind);
        }
        return Expected.PUBLIC;
    }

    static Expected model(IpAddress a, EmbeddedIpv4Mode mode) {
        return a.isIpv4() ? modelIpv4(a.ipv4Bits()) : modelIpv6(a, mode);
    }

    static void assertClassifiedAs(Classification c, Expected e, String what) {
        assertThat(c.reason()).as("reason of %s", what).isEqualTo(e.reason());
        assertThat(c.isDenied()).as("isDenied of %s", what).isEqualTo(e.denied());
        if (e.denied()) {
            assertThat(c.rangeReason()).as("rangeReason of %s", what).isEqualTo(e.rangeReason());
            assertThat(c.rule()).as("rule of %s", what).contains(e.rule());
            assertThat(c.range()).as("range of %s", what).contains(e.range());
            assertThat(c.via()).as("via of %s", what).isEqualTo(Optional.ofNullable(e.via()));
        } else {
            assertThat(c.via()).as("via of %s", what).isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Edges, computed from the table
    // ---------------------------------------------------------------------------------------------

    /** A range (label, range) from the three tables and the embedding prefixes. */
    static List<Map.Entry<String, IpRange>> allRanges() {
        List<Map.Entry<String, IpRange>> out = new ArrayList<>();
        SpecialUseRanges.METADATA.forEach(e -> out.add(Map.entry("METADATA " + e.range(), e.range())));
        SpecialUseRanges.IPV4.forEach(e -> out.add(Map.entry("IPV4 " + e.range(), e.range())));
        SpecialUseRanges.IPV6.forEach(e -> out.add(Map.entry("IPV6 " + e.range(), e.range())));
        for (EmbeddingKind k : EmbeddingKind.values()) {
            k.prefix().ifPresent(p -> out.add(Map.entry(k + " " + k.prefixText(), p)));
        }
        return out;
    }

    static Optional<IpAddress> previous(IpAddress a) {
        if (a.isIpv4()) {
            return a.ipv4Bits() == 0 ? Optional.empty() : Optional.of(IpAddress.ofIpv4(a.ipv4Bits() - 1));
        }
        if (a.high() == 0 && a.low() == 0) {
            return Optional.empty();
        }
        long low = a.low() - 1;
        long high = a.low() == 0 ? a.high() - 1 : a.high();
        return Optional.of(IpAddress.ofIpv6(high, low));
    }

    static Optional<IpAddress> next(IpAddress a) {
        if (a.isIpv4()) {
            return a.ipv4Bits() == -1 ? Optional.empty() : Optional.of(IpAddress.ofIpv4(a.ipv4Bits() + 1));
        }
        if (a.high() == -1L && a.low() == -1L) {
            return Optional.empty();
        }
        long low = a.low() + 1;
        long high = low == 0 ? a.high() + 1 : a.high();
        return Optional.of(IpAddress.ofIpv6(high, low));
    }

    /** (label, address, inside the range?) for first, last, one below first and one above last. */
    static List<Object[]> edgesOf(String label, IpRange r) {
        List<Object[]> out = new ArrayList<>();
        out.add(new Object[] {label + " first", r.first(), true});
        out.add(new Object[] {label + " last", r.last(), true});
        previous(r.first()).ifPresent(a -> out.add(new Object[] {label + " first-1", a, false}));
        next(r.last()).ifPresent(a -> out.add(new Object[] {label + " last+1", a, false}));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyRangeEdgeInBothModes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, IpRange> range : allRanges()) {
            for (Object[] edge : edgesOf(range.getKey(), range.getValue())) {
                IpAddress a = (IpAddress) edge[1];
                boolean inside = (Boolean) edge[2];
                for (EmbeddedIpv4Mode mode : EmbeddedIpv4Mode.values()) {
                    Expected e = model(a, mode);
                    String name = edge[0] + " " + a + " [" + mode.code() + "] -> " + e;
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        assertThat(range.getValue().contains(a)).as("%s is %s %s", a, inside ? "inside" : "outside", range.getValue())
                                .isEqualTo(inside);
                        assertClassifiedAs(CLASSIFIERS.get(mode).classify(a), e, a + " in " + mode.code());
                    }));
                }
            }
        }
        assertThat(tests).hasSizeGreaterThan(250);
        return tests.stream();
    }

    /** The edges of every IPv4 row, carried inside every embedding, in both modes. */
    @TestFactory
    Stream<DynamicTest> everyIpv4EdgeThroughEveryEmbedding() {
        Set<Integer> v4 = new LinkedHashSet<>();
        for (SpecialUseRanges.Entry e : v4Entries()) {
            for (Object[] edge : edgesOf("", e.range())) {
                v4.add(((IpAddress) edge[1]).ipv4Bits());
            }
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (int bits : v4) {
            for (EmbeddingKind kind : EmbeddingKind.values()) {
                if (kind == EmbeddingKind.IPV4_COMPATIBLE && Integer.compareUnsigned(bits, 1) <= 0) {
                    continue; // :: and ::1 are their own rows
                }
                IpAddress a = embed(kind, bits);
                for (EmbeddedIpv4Mode mode : EmbeddedIpv4Mode.values()) {
                    Expected e = kind == EmbeddingKind.ISATAP || mode == EmbeddedIpv4Mode.DECODE
                            ? modelIpv4(bits).through(kind)
                            : new Expected(Reason.IP_EMBEDDED_IPV4, Reason.IP_EMBEDDED_IPV4, "default:" + kind.prefixText(),
                                    kind.prefix().orElseThrow(), null);
                    String name = kind + " " + IpAddress.ofIpv4(bits) + " = " + a + " [" + mode.code() + "] -> " + e;
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        assertThat(EmbeddingKind.of(a.high(), a.low())).as("kind of %s", a).isEqualTo(kind);
                        assertThat(EmbeddingKind.extract(a)).as("extract(%s)", a).contains(IpAddress.ofIpv4(bits));
                        assertThat(model(a, mode).toString()).as("model agrees with the hand-built expectation").isEqualTo(e.toString());
                        assertClassifiedAs(CLASSIFIERS.get(mode).classify(a), e, a + " in " + mode.code());
                    }));
                }
            }
        }
        return tests.stream();
    }

    /** An IPv6 address of {@code kind} carrying {@code v4}; 6to4, Teredo and ISATAP under public-looking prefixes. */
    static IpAddress embed(EmbeddingKind kind, int v4) {
        long u = v4 & 0xffff_ffffL;
        switch (kind) {
            case IPV4_MAPPED:
                return IpAddress.ofIpv6(0, 0x0000_ffff_0000_0000L | u);
            case IPV4_TRANSLATED:
                return IpAddress.ofIpv6(0, 0xffff_0000_0000_0000L | u);
            case IPV4_COMPATIBLE:
                return IpAddress.ofIpv6(0, u);
            case NAT64:
                return IpAddress.ofIpv6(0x0064_ff9b_0000_0000L, u);
            case SIX_TO_FOUR:
                return IpAddress.ofIpv6(0x2002_0000_0000_0000L | (u << 16) | 0x1L, 0x1L);
            case TEREDO: // server 65.54.227.120, flags 0x8000, port 0x63bf; client address inverted
                return IpAddress.ofIpv6(0x2001_0000_4136_e378L, 0x8000_63bf_0000_0000L | (~u & 0xffff_ffffL));
            case ISATAP: // 2001:4860:1::/64 is outside every built-in range
                return IpAddress.ofIpv6(0x2001_4860_0001_0000L, 0x0000_5efe_0000_0000L | u);
            default:
                throw new AssertionError(kind);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Named cases, hand-written
    // ---------------------------------------------------------------------------------------------

    /** Denied by a built-in row: reason == rangeReason. */
    private static String[] den(String code, String rule) {
        return new String[] {code, code, rule};
    }

    /** Denied through an embedded IPv4 address whose own class is {@code rangeCode}. */
    private static String[] via(String rangeCode, String rule) {
        return new String[] {"ip.embedded_ipv4", rangeCode, rule};
    }

    private static final String[] PUB = {"ip.public", "ip.public", null};

    private static Arguments same(String address, String[] both) {
        return Arguments.of(address, both, both);
    }

    private static Arguments modes(String address, String[] block, String[] decode) {
        return Arguments.of(address, block, decode);
    }

    static Stream<Arguments> named() {
        String mappedPrefix = "default:::ffff:0:0/96";
        return Stream.of(
                // IPv4 edges
                same("126.255.255.255", PUB),
                same("127.0.0.0", den("ip.loopback", "default:127.0.0.0/8")),
                same("127.255.255.255", den("ip.loopback", "default:127.0.0.0/8")),
                same("128.0.0.0", PUB),
                same("9.255.255.255", PUB),
                same("10.0.0.0", den("ip.private", "default:10.0.0.0/8")),
                same("11.0.0.0", PUB),
                same("0.0.0.0", den("ip.unspecified", "default:0.0.0.0/8")),
                same("1.0.0.0", PUB),
                same("172.15.255.255", PUB),
                same("172.16.0.0", den("ip.private", "default:172.16.0.0/12")),
                same("172.31.255.255", den("ip.private", "default:172.16.0.0/12")),
                same("172.32.0.0", PUB),
                same("100.63.255.255", PUB),
                same("100.64.0.0", den("ip.cgnat", "default:100.64.0.0/10")),
                same("100.127.255.255", den("ip.cgnat", "default:100.64.0.0/10")),
                same("100.128.0.0", PUB),
                same("100.100.100.200", den("ip.metadata", "default:100.100.100.200/32")),
                same("100.100.100.199", den("ip.cgnat", "default:100.64.0.0/10")),
                same("100.100.100.201", den("ip.cgnat", "default:100.64.0.0/10")),
                same("169.253.255.255", PUB),
                same("169.254.0.0", den("ip.link_local", "default:169.254.0.0/16")),
                same("169.254.169.253", den("ip.link_local", "default:169.254.0.0/16")),
                same("169.254.169.254", den("ip.metadata", "default:169.254.169.254/32")),
                same("169.254.169.255", den("ip.link_local", "default:169.254.0.0/16")),
                same("169.255.0.0", PUB),
                same("192.0.0.255", den("ip.special_use", "default:192.0.0.0/24")),
                same("192.0.1.0", PUB),
                same("192.0.2.255", den("ip.documentation", "default:192.0.2.0/24")),
                same("192.0.3.0", PUB),
                same("192.88.98.255", PUB),
                same("192.88.99.1", den("ip.special_use", "default:192.88.99.0/24")),
                same("192.88.100.0", PUB),
                same("192.167.255.255", PUB),
                same("192.168.0.0", den("ip.private", "default:192.168.0.0/16")),
                same("192.169.0.0", PUB),
                same("198.17.255.255", PUB),
                same("198.18.0.0", den("ip.benchmark", "default:198.18.0.0/15")),
                same("198.19.255.255", den("ip.benchmark", "default:198.18.0.0/15")),
                same("198.20.0.0", PUB),
                same("198.51.99.255", PUB),
                same("198.51.100.0", den("ip.documentation", "default:198.51.100.0/24")),
                same("203.0.113.255", den("ip.documentation", "default:203.0.113.0/24")),
                same("203.0.114.0", PUB),
                same("223.255.255.255", PUB),
                same("224.0.0.0", den("ip.multicast", "default:224.0.0.0/4")),
                same("239.255.255.255", den("ip.multicast", "default:224.0.0.0/4")),
                same("240.0.0.0", den("ip.reserved", "default:240.0.0.0/4")),
                same("255.255.255.255", den("ip.reserved", "default:240.0.0.0/4")),
                same("8.8.8.8", PUB),
                same("93.184.216.34", PUB),
                // IPv6 rows
                same("::", den("ip.unspecified", "default:::/128")),
                same("::1", den("ip.loopback", "default:::1/128")),
                same("fd00:ec2::254", den("ip.metadata", "default:fd00:ec2::254/128")),
                same("fd00:ec2::253", den("ip.unique_local", "default:fc00::/7")),
                same("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB),
                same("fc00::", den("ip.unique_local", "default:fc00::/7")),
                same("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", den("ip.unique_local", "default:fc00::/7")),
                same("fe00::", PUB),
                same("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB),
                same("fe80::1", den("ip.link_local", "default:fe80::/10")),
                same("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", den("ip.link_local", "default:fe80::/10")),
                same("fec0::1", den("ip.site_local", "default:fec0::/10")),
                same("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", den("ip.site_local", "default:fec0::/10")),
                same("ff00::", den("ip.multicast", "default:ff00::/8")),
                same("ff02::1", den("ip.multicast", "default:ff00::/8")),
                same("100::1", den("ip.special_use", "default:100::/64")),
                same("100:0:0:1::", PUB),
                same("2001:db8::1", den("ip.documentation", "default:2001:db8::/32")),
                same("2001:db9::", PUB),
                same("3fff::1", den("ip.documentation", "default:3fff::/20")),
                same("3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", den("ip.documentation", "default:3fff::/20")),
                same("3fff:1000::", PUB),
                same("2606:4700:4700::1111", PUB),
                // 2001::/23 and its carve-outs
                same("2001:1::1", den("ip.special_use", "default:2001::/23")),
                same("2001:2::1", den("ip.benchmark", "default:2001:2::/48")),
                same("2001:2:1::", den("ip.special_use", "default:2001::/23")),
                same("2001:3::1", PUB),
                same("2001:3:ffff:ffff:ffff:ffff:ffff:ffff", PUB),
                same("2001:4::", den("ip.special_use", "default:2001::/23")),
                same("2001:4:112::1", PUB),
                same("2001:4:113::", den("ip.special_use", "default:2001::/23")),
                same("2001:10::1", PUB),
                same("2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", PUB),
                same("2001:20::1", den("ip.special_use", "default:2001:20::/28")),
                same("2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", den("ip.special_use", "default:2001:20::/28")),
                same("2001:30::1", PUB),
                same("2001:40::", den("ip.special_use", "default:2001::/23")),
                same("2001:1ff::1", den("ip.special_use", "default:2001::/23")),
                same("2001:200::1", PUB),
                same("2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB),
                // IPv4-compatible, mapped, translated
                modes("::2", via("ip.embedded_ipv4", "default:::/96"), via("ip.unspecified", "default:0.0.0.0/8 via ::/96")),
                modes("::127.0.0.1", via("ip.embedded_ipv4", "default:::/96"), via("ip.loopback", "default:127.0.0.0/8 via ::/96")),
                modes("::8.8.8.8", via("ip.embedded_ipv4", "default:::/96"), PUB),
                modes("::ffff:127.0.0.1", via("ip.embedded_ipv4", mappedPrefix), via("ip.loopback", "default:127.0.0.0/8 via ::ffff:0:0/96")),
                modes("::ffff:8.8.8.8", via("ip.embedded_ipv4", mappedPrefix), PUB),
                modes("::ffff:169.254.169.254", via("ip.embedded_ipv4", mappedPrefix),
                        via("ip.metadata", "default:169.254.169.254/32 via ::ffff:0:0/96")),
                same("::fffe:ffff:ffff", PUB),
                same("::1:0:0:0", PUB),
                modes("::ffff:0:7f00:1", via("ip.embedded_ipv4", "default:::ffff:0:0:0/96"),
                        via("ip.loopback", "default:127.0.0.0/8 via ::ffff:0:0:0/96")),
                modes("::ffff:0:808:808", via("ip.embedded_ipv4", "default:::ffff:0:0:0/96"), PUB),
                // NAT64
                modes("64:ff9b::8.8.8.8", via("ip.embedded_ipv4", "default:64:ff9b::/96"), PUB),
                modes("64:ff9b::127.0.0.1", via("ip.embedded_ipv4", "default:64:ff9b::/96"),
                        via("ip.loopback", "default:127.0.0.0/8 via 64:ff9b::/96")),
                modes("64:ff9b::10.0.0.1", via("ip.embedded_ipv4", "default:64:ff9b::/96"),
                        via("ip.private", "default:10.0.0.0/8 via 64:ff9b::/96")),
                same("64:ff9b::1:0:0", PUB),
                same("64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", PUB),
                same("64:ff9b:1::1", den("ip.embedded_ipv4", "default:64:ff9b:1::/48")),
                same("64:ff9b:1::808:808", den("ip.embedded_ipv4", "default:64:ff9b:1::/48")),
                same("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", den("ip.embedded_ipv4", "default:64:ff9b:1::/48")),
                same("64:ff9b:2::", PUB),
                // 6to4
                modes("2002:7f00:1::", via("ip.embedded_ipv4", "default:2002::/16"), via("ip.loopback", "default:127.0.0.0/8 via 2002::/16")),
                modes("2002:808:808::1", via("ip.embedded_ipv4", "default:2002::/16"), PUB),
                modes("2002:a9fe:a9fe::", via("ip.embedded_ipv4", "default:2002::/16"),
                        via("ip.metadata", "default:169.254.169.254/32 via 2002::/16")),
                same("2003::", PUB),
                // Teredo (client address inverted): 3fff:fdd2 -> 192.0.2.45, f7f7:f7f7 -> 8.8.8.8, 80ff:fffe -> 127.0.0.1
                modes("2001:0:4136:e378:8000:63bf:3fff:fdd2", via("ip.embedded_ipv4", "default:2001::/32"),
                        via("ip.documentation", "default:192.0.2.0/24 via 2001::/32")),
                modes("2001:0:4136:e378:8000:63bf:f7f7:f7f7", via("ip.embedded_ipv4", "default:2001::/32"), PUB),
                modes("2001:0:4136:e378:8000:63bf:80ff:fffe", via("ip.embedded_ipv4", "default:2001::/32"),
                        via("ip.loopback", "default:127.0.0.0/8 via 2001::/32")),
                modes("2001::", via("ip.embedded_ipv4", "default:2001::/32"), via("ip.reserved", "default:240.0.0.0/4 via 2001::/32")),
                // ISATAP: judged by its IPv4 in both modes
                same("2001:4860:1::5efe:7f00:1", via("ip.loopback", "default:127.0.0.0/8 via isatap")),
                same("2001:4860:1::200:5efe:8.8.8.8", PUB),
                same("2001:4860:1::5efe:8.8.8.8", PUB),
                same("2001:4860:1::200:5efe:a9fe:a9fe", via("ip.metadata", "default:169.254.169.254/32 via isatap")),
                same("2001:4860:1:0:1111:5efe:7f00:1", PUB),
                same("fe80::5efe:7f00:1", den("ip.link_local", "default:fe80::/10")),
                same("2001:db8:1234::5efe:8.8.8.8", den("ip.documentation", "default:2001:db8::/32")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("named")
    void namedCases(String text, String[] block, String[] decode) {
        IpAddress a = IpLiterals.parse(text);
        assertNamed(BLOCK.classify(a), block, text + " [block-prefix]");
        assertNamed(DECODE.classify(a), decode, text + " [decode]");
        // the model agrees with the hand-written expectation, so the generated edges mean the same thing
        assertThat(codes(model(a, EmbeddedIpv4Mode.BLOCK_PREFIX))).as("model of %s [block-prefix]", text).containsExactly(block);
        assertThat(codes(model(a, EmbeddedIpv4Mode.DECODE))).as("model of %s [decode]", text).containsExactly(decode);
    }

    @Test
    void theNamedTableIsLargeAndReachesEveryReason() {
        List<Arguments> all = named().collect(Collectors.toList());
        assertThat(all).hasSizeGreaterThanOrEqualTo(40);
        Set<String> reasons = all.stream().flatMap(a -> Stream.of(((String[]) a.get()[1])[1], ((String[]) a.get()[2])[1]))
                .collect(Collectors.toSet());
        for (SpecialUseRanges.Entry e : SpecialUseRanges.all()) {
            e.reason().ifPresent(r -> assertThat(reasons).as("a named case for %s", r).contains(r.code()));
        }
    }

    private static String[] codes(Expected e) {
        return new String[] {e.reason().code(), e.rangeReason().code(), e.rule()};
    }

    private static void assertNamed(Classification c, String[] expected, String what) {
        assertThat(c.reason().code()).as("reason of %s", what).isEqualTo(expected[0]);
        assertThat(c.rangeReason().code()).as("rangeReason of %s", what).isEqualTo(expected[1]);
        if (expected[2] != null) {
            assertThat(c.rule()).as("rule of %s", what).contains(expected[2]);
        }
        assertThat(c.isDenied()).as("isDenied of %s", what).isEqualTo(!expected[0].equals("ip.public"));
        assertThat(c.toString()).as("toString of %s", what).startsWith(expected[0]);
    }

    // ---------------------------------------------------------------------------------------------
    // ISATAP is documented as "always judged by its IPv4", "under any /64"
    // ---------------------------------------------------------------------------------------------

    @Test
    void isatapUnderTheZeroSlash64IsJudgedByItsIpv4() {
        for (String text : List.of("::5efe:7f00:1", "::200:5efe:7f00:1", "::5efe:a9fe:a9fe")) {
            IpAddress a = IpLiterals.parse(text);
            for (AddressClassifier c : List.of(BLOCK, DECODE)) {
                assertThat(c.classify(a).isDenied()).as("%s [%s]", text, c.mode().code()).isTrue();
                assertThat(c.classify(a).via()).as("%s [%s]", text, c.mode().code()).contains(EmbeddingKind.ISATAP);
            }
        }
    }

    @Test
    void isatapInsideACarveOutIsJudgedByItsIpv4() {
        for (String text : List.of("2001:3::5efe:7f00:1", "2001:4:112::200:5efe:a9fe:a9fe", "2001:10::5efe:a00:1",
                "2001:30::5efe:7f00:1")) {
            IpAddress a = IpLiterals.parse(text);
            for (AddressClassifier c : List.of(BLOCK, DECODE)) {
                Classification got = c.classify(a);
                assertThat(got.reason()).as("%s [%s]", text, c.mode().code()).isEqualTo(Reason.IP_EMBEDDED_IPV4);
                assertThat(got.via()).as("%s [%s]", text, c.mode().code()).contains(EmbeddingKind.ISATAP);
            }
        }
    }

    @Test
    void isatapUnderA6to4OrTeredoPrefixIsJudgedByItsIpv4InDecodeMode() {
        for (String text : List.of("2002:808:808::5efe:7f00:1", "2001:0:1:2::5efe:7f00:1")) {
            Classification got = DECODE.classify(IpLiterals.parse(text));
            assertThat(got.isDenied()).as(text).isTrue();
            assertThat(got.rangeReason()).as(text).isEqualTo(Reason.IP_LOOPBACK);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Operator-denied ranges
    // ---------------------------------------------------------------------------------------------

    private static final String RULE = "deny.ranges[0]:8.8.8.0/24";

    private static AddressClassifier withExtra(EmbeddedIpv4Mode mode) {
        return AddressClassifier.of(mode, List.of(new DeniedRange(IpRange.parse("8.8.8.0/24"), RULE)));
    }

    @Test
    void extraRangesApplyToIpv4InBothModes() {
        for (EmbeddedIpv4Mode mode : EmbeddedIpv4Mode.values()) {
            AddressClassifier c = withExtra(mode);
            assertThat(c.mode()).isEqualTo(mode);
            for (String inside : List.of("8.8.8.0", "8.8.8.8", "8.8.8.255")) {
                Classification got = c.classify(IpLiterals.parse(inside));
                assertThat(got.reason()).as(inside).isEqualTo(Reason.IP_DENIED_RANGE);
                assertThat(got.rangeReason()).as(inside).isEqualTo(Reason.IP_DENIED_RANGE);
                assertThat(got.rule()).as(inside).contains(RULE);
                assertThat(got.range()).as(inside).contains(IpRange.parse("8.8.8.0/24"));
            }
            assertThat(c.classify(IpLiterals.parse("8.8.7.255"))).isSameAs(Classification.PUBLIC);
            assertThat(c.classify(IpLiterals.parse("8.8.9.0"))).isSameAs(Classification.PUBLIC);
            // built-in rows still answer first
            assertThat(c.classify(IpLiterals.parse("127.0.0.1")).rule()).contains("default:127.0.0.0/8");
        }
    }

    @Test
    void extraRangesApplyToEmbeddedFormsInDecodeMode() {
        AddressClassifier c = withExtra(EmbeddedIpv4Mode.DECODE);
        Map<String, String> cases = Map.of(
                "::ffff:8.8.8.8", "::ffff:0:0/96",
                "64:ff9b::8.8.8.8", "64:ff9b::/96",
                "::ffff:0:808:808", "::ffff:0:0:0/96",
                "::8.8.8.8", "::/96",
                "2002:808:808::1", "2002::/16",
                "2001:0:4136:e378:8000:63bf:f7f7:f7f7", "2001::/32",
                "2001:4860:1::5efe:808:808", "isatap");
        cases.forEach((text, prefix) -> {
            Classification got = c.classify(IpLiterals.parse(text));
            assertThat(got.reason()).as(text).isEqualTo(Reason.IP_EMBEDDED_IPV4);
            assertThat(got.rangeReason()).as(text).isEqualTo(Reason.IP_DENIED_RANGE);
            assertThat(got.rule()).as(text).contains(RULE + " via " + prefix);
        });
        assertThat(c.classify(IpLiterals.parse("64:ff9b::8.8.9.8")).isDenied()).isFalse();
        assertThat(c.classify(IpLiterals.parse("::ffff:8.8.9.8")).isDenied()).isFalse();
    }

    @Test
    void inBlockPrefixModeTheTransitionPrefixAnswersFirstButIsatapStillDecodes() {
        AddressClassifier c = withExtra(EmbeddedIpv4Mode.BLOCK_PREFIX);
        assertThat(c.classify(IpLiterals.parse("::ffff:8.8.8.8")).rule()).contains("default:::ffff:0:0/96");
        assertThat(c.classify(IpLiterals.parse("64:ff9b::8.8.8.8")).rule()).contains("default:64:ff9b::/96");
        Classification isatap = c.classify(IpLiterals.parse("2001:4860:1::5efe:808:808"));
        assertThat(isatap.rangeReason()).isEqualTo(Reason.IP_DENIED_RANGE);
        assertThat(isatap.rule()).contains(RULE + " via isatap");
    }

    @Test
    void extraIpv6RangesAndCarveOuts() {
        AddressClassifier c = AddressClassifier.of(EmbeddedIpv4Mode.BLOCK_PREFIX, List.of(
                new DeniedRange(IpRange.parse("2606:4700::/32"), "deny.ranges[0]:2606:4700::/32"),
                new DeniedRange(IpRange.parse("2001::/16"), "deny.ranges[1]:2001::/16"),
                new DeniedRange(IpRange.parse("2606::/16"), "deny.ranges[2]:2606::/16")));
        assertThat(c.classify(IpLiterals.parse("2606:4700::1111")).rule()).contains("deny.ranges[0]:2606:4700::/32");
        assertThat(c.classify(IpLiterals.parse("2606:4701::1")).rule()).contains("deny.ranges[2]:2606::/16");
        assertThat(c.classify(IpLiterals.parse("2607::1")).isDenied()).isFalse();
        // an operator deny reaches into the globally reachable carve-outs of 2001::/23
        assertThat(c.classify(IpLiterals.parse("2001:3::1")).rule()).contains("deny.ranges[1]:2001::/16");
        assertThat(c.classify(IpLiterals.parse("2001:4860::1")).reason()).isEqualTo(Reason.IP_DENIED_RANGE);
        // but the built-in rows keep their own reason
        assertThat(c.classify(IpLiterals.parse("2001:db8::1")).reason()).isEqualTo(Reason.IP_DOCUMENTATION);
        // an IPv6 range does not reach IPv4
        assertThat(c.classify(IpLiterals.parse("32.1.0.0")).isDenied()).isFalse();
    }

    @Test
    void theDefaultInstanceIsShared() {
        assertThat(AddressClassifier.of(EmbeddedIpv4Mode.BLOCK_PREFIX, List.of())).isSameAs(AddressClassifier.defaults());
        assertThat(AddressClassifier.defaults().mode()).isEqualTo(EmbeddedIpv4Mode.BLOCK_PREFIX);
        assertThat(DECODE).isNotSameAs(BLOCK);
        assertThat(EmbeddedIpv4Mode.fromCode(" Decode ")).contains(EmbeddedIpv4Mode.DECODE);
        assertThat(EmbeddedIpv4Mode.fromCode("block-prefix")).contains(EmbeddedIpv4Mode.BLOCK_PREFIX);
        assertThat(EmbeddedIpv4Mode.fromCode("block")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // classify(InetAddress) == classify(IpAddress)
    // ---------------------------------------------------------------------------------------------

    private static InetAddress inet(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes); // no lookup: bytes only
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytesOf(int v4) {
        return new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
    }

    private static byte[] bytesOf(long high, long low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }

    @Test
    void classifyingAnInetAddressMatchesClassifyingTheIpAddress() {
        Set<Integer> v4 = new LinkedHashSet<>();
        for (SpecialUseRanges.Entry e : v4Entries()) {
            int first = e.range().first().ipv4Bits();
            int last = e.range().last().ipv4Bits();
            for (int d = -2; d <= 2; d++) {
                v4.add(first + d);
                v4.add(last + d);
            }
        }
        v4.add(0x0808_0808);
        v4.add(-1);
        v4.add(0);
        Random random = new Random(20240611L);
        while (v4.size() < 3000) {
            v4.add(random.nextInt());
        }
        List<AddressClassifier> classifiers = List.of(BLOCK, DECODE, withExtra(EmbeddedIpv4Mode.DECODE));
        for (int bits : v4) {
            InetAddress a = inet(bytesOf(bits));
            assertThat(a).isInstanceOf(Inet4Address.class);
            assertThat(a.hashCode()).as("Inet4Address.hashCode() of %s is its value", a).isEqualTo(bits);
            for (AddressClassifier c : classifiers) {
                assertThat(c.classify(a)).as("%s [%s]", a, c.mode().code()).isSameAs(c.classify(IpAddress.ofIpv4(bits)))
                        .isSameAs(c.classifyIpv4(bits));
            }
        }

        List<IpAddress> v6 = new ArrayList<>();
        for (Map.Entry<String, IpRange> range : allRanges()) {
            if (!range.getValue().isIpv4()) {
                edgesOf(range.getKey(), range.getValue()).forEach(edge -> v6.add((IpAddress) edge[1]));
            }
        }
        for (int i = 0; i < 1000; i++) {
            v6.add(IpAddress.ofIpv6(random.nextLong(), random.nextLong()));
        }
        int checked = 0;
        for (IpAddress a : v6) {
            InetAddress i6 = inet(bytesOf(a.high(), a.low()));
            if (!(i6 instanceof Inet6Address)) {
                continue; // the JDK turns ::ffff:a.b.c.d into an Inet4Address: see the next test
            }
            checked++;
            for (AddressClassifier c : classifiers) {
                assertThat(c.classify(i6)).as("%s [%s]", a, c.mode().code()).isSameAs(c.classify(a));
            }
        }
        assertThat(v4.size() + checked).isGreaterThan(3900);
    }

    @Test
    void aMappedInetAddressIsAnInet4AddressAndClassifiesAsIpv4() {
        InetAddress mapped = inet(bytesOf(0, 0x0000_ffff_7f00_0001L));
        assertThat(mapped).isInstanceOf(Inet4Address.class);
        assertThat(BLOCK.classify(mapped).rule()).contains("default:127.0.0.0/8");
        assertThat(DECODE.classify(mapped).rule()).contains("default:127.0.0.0/8");
        // the same address as an IpAddress stays IPv6 and meets the transition prefix
        assertThat(BLOCK.classify(IpLiterals.parse("::ffff:127.0.0.1")).rule()).contains("default:::ffff:0:0/96");
    }

    @Test
    void aScopedInet6AddressClassifiesLikeItsBytes() throws UnknownHostException {
        InetAddress scoped = Inet6Address.getByAddress(null, bytesOf(0xfe80_0000_0000_0000L, 1), 7);
        Classification c = BLOCK.classify(scoped);
        assertThat(c.reason()).isEqualTo(Reason.IP_LINK_LOCAL);
        assertThat(IpAddress.fromInetAddress(scoped).zone()).contains("7");
    }
}
