package dev.egressguard.cli.validate;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.TargetUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every probe validate knows, grouped like the spec's table. Each destination goes out as an
 * absolute-form GET and as a CONNECT. Loopback destinations (every spelling that lands on this
 * machine's loopback) aim at canaries; the rest are judged by the proxy's answer.
 */
public final class ProbeCatalog {
    /** GET probes to remote destinations use the HTTP port, CONNECT probes the HTTPS port: what an attacker would ask for. */
    static final int REMOTE_GET_PORT = 80;
    static final int REMOTE_CONNECT_PORT = 443;
    /** A rebinding name answers differently over time: ask several times. */
    public static final int REBIND_ATTEMPTS = 3;

    private ProbeCatalog() {}

    /** One destination of the table: the host as written, what it stands for, and where it lands. */
    record Entry(ProbeGroup group, String host, String form, Landing landing, Optional<String> alsoBind) {}

    private static Entry canary(ProbeGroup g, String host, String form) {
        return new Entry(g, host, form, Landing.CANARY, Optional.empty());
    }

    private static Entry canaryOn(ProbeGroup g, String host, String form, String bind) {
        return new Entry(g, host, form, Landing.CANARY, Optional.of(bind));
    }

    private static Entry remote(ProbeGroup g, String host, String form) {
        return new Entry(g, host, form, Landing.REMOTE, Optional.empty());
    }

    /** Spellings that, let through, land on this machine's loopback (0.0.0.0 and :: do on Linux and macOS). */
    static final List<Entry> LOOPBACK = List.of(
            canary(ProbeGroup.LOOPBACK_V4, "127.0.0.1", "first"),
            canaryOn(ProbeGroup.LOOPBACK_V4, "127.255.255.254", "last", "127.255.255.254"),
            canary(ProbeGroup.LOOPBACK_V4, "2130706433", "decimal"),
            canary(ProbeGroup.LOOPBACK_V4, "0x7f000001", "hex"),
            canary(ProbeGroup.LOOPBACK_V4, "0x7f.0x0.0x0.0x1", "dotted hex"),
            canary(ProbeGroup.LOOPBACK_V4, "0177.0.0.1", "octal"),
            canary(ProbeGroup.LOOPBACK_V4, "017700000001", "octal, one number"),
            canary(ProbeGroup.LOOPBACK_V4, "127.1", "short a.b"),
            canary(ProbeGroup.LOOPBACK_V4, "127.0.1", "short a.b.c"),
            canary(ProbeGroup.LOOPBACK_V4, "127.000.000.001", "zero-padded"),
            canary(ProbeGroup.LOOPBACK_V4, "127.0.0.1.", "trailing dot"),
            canary(ProbeGroup.LOOPBACK_V4, "[127.0.0.1]", "bracketed IPv4"),
            canary(ProbeGroup.LOOPBACK_V4, "localhost", "name"),
            canary(ProbeGroup.LOOPBACK_V4, "localhost.", "trailing dot"),
            canary(ProbeGroup.LOOPBACK_V4, "LocalHost", "mixed case"),
            canary(ProbeGroup.LOOPBACK_V4, "%6c%6fcalhost", "percent-encoded"),
            canary(ProbeGroup.LOOPBACK_V4, "localhost.localdomain", "name"),
            canary(ProbeGroup.LOOPBACK_V4, "egressguard-validate.localhost", "*.localhost"),
            canaryOn(ProbeGroup.LOOPBACK_V6, "[::1]", "compressed", "::1"),
            canaryOn(ProbeGroup.LOOPBACK_V6, "[0:0:0:0:0:0:0:1]", "full", "::1"),
            canaryOn(ProbeGroup.LOOPBACK_V6, "[0000:0000:0000:0000:0000:0000:0000:0001]", "zero-padded", "::1"),
            canaryOn(ProbeGroup.LOOPBACK_V6, "[::1%25lo]", "zone id", "::1"),
            canary(ProbeGroup.UNSPECIFIED, "0.0.0.0", "first (lands on loopback)"),
            canary(ProbeGroup.UNSPECIFIED, "0", "short form"),
            canary(ProbeGroup.UNSPECIFIED, "[::]", "IPv6 unspecified"),
            canary(ProbeGroup.MAPPED_COMPATIBLE, "[::ffff:127.0.0.1]", "IPv4-mapped loopback"),
            canary(ProbeGroup.MAPPED_COMPATIBLE, "[::ffff:7f00:1]", "IPv4-mapped loopback, hex"),
            canary(ProbeGroup.MAPPED_COMPATIBLE, "[0:0:0:0:0:ffff:127.0.0.1]", "IPv4-mapped loopback, full"),
            canary(ProbeGroup.MAPPED_COMPATIBLE, "[::ffff:0.0.0.0]", "IPv4-mapped unspecified"));

    /** Destinations validate cannot host: judged by the proxy's answer. A permissive proxy dials them for real. */
    static final List<Entry> REMOTE = List.of(
            remote(ProbeGroup.UNSPECIFIED, "0.255.255.255", "last"),
            remote(ProbeGroup.PRIVATE, "10.0.0.0", "first"),
            remote(ProbeGroup.PRIVATE, "10.255.255.255", "last"),
            remote(ProbeGroup.PRIVATE, "167772161", "10.0.0.1 decimal"),
            remote(ProbeGroup.PRIVATE, "012.0.0.1", "10.0.0.1 octal"),
            remote(ProbeGroup.PRIVATE, "172.16.0.0", "first"),
            remote(ProbeGroup.PRIVATE, "172.31.255.255", "last"),
            remote(ProbeGroup.PRIVATE, "192.168.0.0", "first"),
            remote(ProbeGroup.PRIVATE, "192.168.255.255", "last"),
            remote(ProbeGroup.LINK_LOCAL, "169.254.0.0", "first"),
            remote(ProbeGroup.LINK_LOCAL, "169.254.255.255", "last"),
            remote(ProbeGroup.LINK_LOCAL, "[fe80::]", "first"),
            remote(ProbeGroup.LINK_LOCAL, "[febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff]", "last"),
            remote(ProbeGroup.LINK_LOCAL, "[fe80::1%25eth0]", "zone id"),
            remote(ProbeGroup.METADATA, "169.254.169.254", "metadata"),
            remote(ProbeGroup.METADATA, "2852039166", "decimal"),
            remote(ProbeGroup.METADATA, "0xa9fea9fe", "hex"),
            remote(ProbeGroup.METADATA, "0251.0376.0251.0376", "octal"),
            remote(ProbeGroup.METADATA, "169.254.43518", "short a.b.c"),
            remote(ProbeGroup.METADATA, "169.254.169.254.", "trailing dot"),
            remote(ProbeGroup.METADATA, "metadata.google.internal", "name"),
            remote(ProbeGroup.METADATA, "metadata.google.internal.", "trailing dot"),
            remote(ProbeGroup.METADATA, "METADATA.Google.Internal", "mixed case"),
            remote(ProbeGroup.METADATA, "100.100.100.200", "Alibaba Cloud"),
            remote(ProbeGroup.METADATA, "[fd00:ec2::254]", "AWS IPv6"),
            remote(ProbeGroup.CGNAT, "100.64.0.0", "first"),
            remote(ProbeGroup.CGNAT, "100.127.255.255", "last"),
            remote(ProbeGroup.BENCHMARK, "198.18.0.0", "first"),
            remote(ProbeGroup.BENCHMARK, "198.19.255.255", "last"),
            remote(ProbeGroup.BENCHMARK, "[2001:2::]", "first"),
            remote(ProbeGroup.BENCHMARK, "[2001:2:0:ffff:ffff:ffff:ffff:ffff]", "last"),
            remote(ProbeGroup.DOCUMENTATION, "192.0.0.0", "first"),
            remote(ProbeGroup.DOCUMENTATION, "192.0.0.255", "last"),
            remote(ProbeGroup.DOCUMENTATION, "192.0.2.0", "first"),
            remote(ProbeGroup.DOCUMENTATION, "192.0.2.255", "last"),
            remote(ProbeGroup.DOCUMENTATION, "198.51.100.0", "first"),
            remote(ProbeGroup.DOCUMENTATION, "198.51.100.255", "last"),
            remote(ProbeGroup.DOCUMENTATION, "203.0.113.0", "first"),
            remote(ProbeGroup.DOCUMENTATION, "203.0.113.255", "last"),
            remote(ProbeGroup.DOCUMENTATION, "[2001:db8::]", "first"),
            remote(ProbeGroup.DOCUMENTATION, "[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]", "last"),
            remote(ProbeGroup.MULTICAST, "224.0.0.0", "first"),
            remote(ProbeGroup.MULTICAST, "239.255.255.255", "last"),
            remote(ProbeGroup.MULTICAST, "[ff00::]", "first"),
            remote(ProbeGroup.MULTICAST, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]", "last"),
            remote(ProbeGroup.RESERVED, "240.0.0.0", "first"),
            remote(ProbeGroup.RESERVED, "255.255.255.255", "last (broadcast)"),
            remote(ProbeGroup.IPV6_LOCAL, "[fc00::]", "first"),
            remote(ProbeGroup.IPV6_LOCAL, "[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]", "last"),
            remote(ProbeGroup.IPV6_LOCAL, "[fec0::]", "site-local first"),
            remote(ProbeGroup.IPV6_LOCAL, "[feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]", "site-local last"),
            remote(ProbeGroup.DISCARD_ORCHID, "[100::]", "discard first"),
            remote(ProbeGroup.DISCARD_ORCHID, "[100::ffff:ffff:ffff:ffff]", "discard last"),
            remote(ProbeGroup.DISCARD_ORCHID, "[2001:20::]", "ORCHIDv2 first"),
            remote(ProbeGroup.DISCARD_ORCHID, "[2001:2f:ffff:ffff:ffff:ffff:ffff:ffff]", "ORCHIDv2 last"),
            remote(ProbeGroup.NAT64, "[64:ff9b::7f00:1]", "NAT64 of 127.0.0.1"),
            remote(ProbeGroup.NAT64, "[64:ff9b::169.254.169.254]", "NAT64 of metadata"),
            remote(ProbeGroup.NAT64, "[64:ff9b:1::a9fe:a9fe]", "local-use NAT64 of metadata"),
            remote(ProbeGroup.SIX_TO_FOUR_TEREDO, "[2002:7f00:1::]", "6to4 of 127.0.0.1"),
            remote(ProbeGroup.SIX_TO_FOUR_TEREDO, "[2002:a9fe:a9fe::]", "6to4 of metadata"),
            remote(ProbeGroup.SIX_TO_FOUR_TEREDO, "[2001::80ff:fffe]", "Teredo of 127.0.0.1"),
            remote(ProbeGroup.SIX_TO_FOUR_TEREDO, "[2001::5601:5601]", "Teredo of metadata"),
            remote(ProbeGroup.MAPPED_COMPATIBLE, "[::ffff:169.254.169.254]", "IPv4-mapped metadata"),
            remote(ProbeGroup.MAPPED_COMPATIBLE, "[::ffff:a9fe:a9fe]", "IPv4-mapped metadata, hex"),
            remote(ProbeGroup.MAPPED_COMPATIBLE, "[::ffff:10.0.0.1]", "IPv4-mapped private"),
            remote(ProbeGroup.MAPPED_COMPATIBLE, "[::127.0.0.1]", "IPv4-compatible loopback"),
            remote(ProbeGroup.MAPPED_COMPATIBLE, "[::a9fe:a9fe]", "IPv4-compatible metadata"),
            remote(ProbeGroup.DEFAULT_POLICY, "egressguard-validate.local", "*.local"),
            remote(ProbeGroup.DEFAULT_POLICY, "egressguard-validate.internal", "*.internal"),
            remote(ProbeGroup.DEFAULT_POLICY, "192.88.99.0", "6to4 relay first"),
            remote(ProbeGroup.DEFAULT_POLICY, "192.88.99.255", "6to4 relay last"),
            remote(ProbeGroup.DEFAULT_POLICY, "[2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff]", "2001::/23 last"),
            remote(ProbeGroup.DEFAULT_POLICY, "[3fff::]", "3fff::/20 first"),
            remote(ProbeGroup.DEFAULT_POLICY, "[3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff]", "3fff::/20 last"),
            remote(ProbeGroup.DEFAULT_POLICY, "[::ffff:0:7f00:1]", "IPv4-translated loopback"),
            remote(ProbeGroup.DEFAULT_POLICY, "[fe80::5efe:7f00:1]", "ISATAP of 127.0.0.1"),
            remote(ProbeGroup.DEFAULT_POLICY, "[2600::5efe:a9fe:a9fe]", "ISATAP of metadata, global /64"));

    /**
     * The probes of a run, in report order. The public URL probe comes last; in loopback scope it is
     * listed (and reported as skipped) but never sent.
     */
    public static List<Probe> probes(Scope scope, Optional<String> rebindName, Optional<TargetUrl> publicUrl) {
        List<Probe> out = new ArrayList<>();
        List<Entry> entries = new ArrayList<>(LOOPBACK);
        if (scope == Scope.ALL) {
            entries.addAll(REMOTE);
        }
        for (ProbeGroup g : ProbeGroup.values()) {
            for (Entry e : entries) {
                if (e.group() == g) {
                    out.add(probe(e, ProbeMethod.GET, 1));
                    out.add(probe(e, ProbeMethod.CONNECT, 1));
                }
            }
        }
        out.add(probe(canary(ProbeGroup.WEBSOCKET, "127.0.0.1", "upgrade"), ProbeMethod.WEBSOCKET, 1));
        rebindName.ifPresent(name -> {
            Entry e = canary(ProbeGroup.DNS_REBINDING, name, "rebinding name");
            out.add(probe(e, ProbeMethod.GET, REBIND_ATTEMPTS));
            out.add(probe(e, ProbeMethod.CONNECT, REBIND_ATTEMPTS));
        });
        publicUrl.ifPresent(u -> out.add(publicProbe(u)));
        return out;
    }

    private static Probe probe(Entry e, ProbeMethod method, int attempts) {
        int port = e.landing() == Landing.CANARY ? 0 : method == ProbeMethod.CONNECT ? REMOTE_CONNECT_PORT : REMOTE_GET_PORT;
        String id = e.group().name().toLowerCase(java.util.Locale.ROOT) + "/" + e.host() + "/" + method.name().toLowerCase(java.util.Locale.ROOT);
        return new Probe(id, e.group(), e.host(), e.form(), method, e.landing(), port, e.alsoBind(), "/", attempts);
    }

    private static Probe publicProbe(TargetUrl u) {
        String host = Hostnames.bracketIpv6(u.host());
        boolean tls = u.scheme().equals("https") || u.scheme().equals("wss");
        ProbeMethod method = tls ? ProbeMethod.CONNECT : ProbeMethod.GET;
        return new Probe("public/" + host + "/" + method.name().toLowerCase(java.util.Locale.ROOT), ProbeGroup.PUBLIC, host,
                u.scheme() + " URL", method, Landing.PUBLIC, u.port(), Optional.empty(), u.pathAndQuery(), 1);
    }
}
