package dev.egressguard.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.core.classify.DeniedRange;
import dev.egressguard.core.classify.EmbeddedIpv4Mode;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** (policy, host, port, resolved addresses) -> (verdict, reason, rule id, deciding address). */
class PolicyTest {
    private static final Policy DEFAULTS = Policy.defaults();
    private static final Policy DECODE = Policy.builder().embeddedIpv4(EmbeddedIpv4Mode.DECODE).build();

    /** allow[0]: 127.0.0.1/32 on 11434; allow[1]: 169.254.0.0/16 on any port. */
    private static final Policy CIDR = Policy.builder()
            .allow(AllowRule.cidr(IpRange.parse("127.0.0.1/32"), PortSet.of(11434), "local model server"))
            .allow(AllowRule.cidr(IpRange.parse("169.254.0.0/16"), PortSet.ANY, "link-local devices"))
            .build();

    private static final Policy CIDR_DECODE = CIDR.toBuilder().embeddedIpv4(EmbeddedIpv4Mode.DECODE).build();

    /** allow[0]: the IPv4-mapped form of 127.0.0.1, written in IPv6, on 11434: the same host as 127.0.0.1. */
    private static final Policy MAPPED_V6_RULE = Policy.builder()
            .allow(AllowRule.cidr(IpRange.parse("::ffff:127.0.0.1/128"), PortSet.of(11434), "mapped loopback, named"))
            .build();

    /** allow[0]: localhost on 8080; allow[1]: *.corp.example; allow[2]: metadata.google.internal. */
    private static final Policy HOSTS = Policy.builder()
            .allow(AllowRule.host(HostPattern.parse("localhost"), PortSet.of(8080), "dev server"))
            .allow(AllowRule.host(HostPattern.parse("*.corp.example"), PortSet.ANY, "corp services"))
            .allow(AllowRule.host(HostPattern.parse("metadata.google.internal"), PortSet.ANY, "should not open metadata"))
            .build();

    private static final Policy METADATA = Policy.builder()
            .allow(AllowRule.cidr(IpRange.parse("169.254.169.254/32"), PortSet.of(80), "instance metadata"))
            .allow(AllowRule.cidr(IpRange.parse("fd00:ec2::254/128"), PortSet.of(80), "instance metadata v6"))
            .build();

    private static final Policy PORTS = Policy.builder().ports(PortSet.of(80, 443)).build();

    private static final Policy DENY_NAMES = Policy.builder()
            .denyHostname(HostPattern.parse("*.corp.example"))
            .denyHostname(HostPattern.parse("tracker.example"))
            .allow(AllowRule.host(HostPattern.parse("a.corp.example"), PortSet.ANY, "loses to deny.hostnames"))
            .allow(AllowRule.host(HostPattern.parse("tracker.example"), PortSet.ANY, "loses to deny.hostnames"))
            .build();

    private static final Policy ZONES = Policy.builder()
            .allow(AllowRule.cidr(IpRange.parse("fe80::/10"), PortSet.ANY, "link-local v6"))
            .build();

    private static final Policy DENY_RANGES = Policy.builder()
            .denyRange(IpRange.parse("8.8.8.0/24"))
            .denyRange(IpRange.parse("2001:4860::/32"))
            .build();

    private static final Policy DENY_RANGES_DECODE = DENY_RANGES.toBuilder().embeddedIpv4(EmbeddedIpv4Mode.DECODE).build();

    private static Arguments c(String policyName, Policy policy, String host, int port, List<String> answers,
            Verdict verdict, String reason, String rule, String address) {
        return Arguments.of(policyName + ": " + host + ":" + port + " " + answers, policy, host, port, answers,
                verdict, reason, rule, address);
    }

    private static final Verdict A = Verdict.ALLOW;
    private static final Verdict D = Verdict.DENY;

    private static List<String> ips(String... a) {
        return List.of(a);
    }

    static Stream<Arguments> cases() {
        List<Arguments> t = new ArrayList<>();
        // --- the embedded default -------------------------------------------------------------
        t.add(c("defaults", DEFAULTS, "example.com", 443, ips("93.184.216.34"), A, "ip.public", null, null));
        t.add(c("defaults", DEFAULTS, "Example.COM.", 443, ips("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"), A, "ip.public", null, null));
        t.add(c("defaults", DEFAULTS, "example.com", 443, ips("93.184.216.34", "127.0.0.1"), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("defaults", DEFAULTS, "example.com", 443, ips("127.0.0.1", "93.184.216.34"), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("defaults", DEFAULTS, "example.com", 443, ips("2606:2800:220:1:248:1893:25c8:1946", "10.0.0.1"), D, "ip.private", "default:10.0.0.0/8", "10.0.0.1"));
        t.add(c("defaults", DEFAULTS, "example.com", 443, ips("93.184.216.34", "fd00::1", "127.0.0.1"), D, "ip.unique_local", "default:fc00::/7", "fd00::1"));
        t.add(c("defaults", DEFAULTS, "example.com", 443, ips(), D, "dns.no_answer", null, null));
        t.add(c("defaults", DEFAULTS, "example.com", 80, ips("169.254.169.254"), D, "ip.metadata", "default:169.254.169.254/32", "169.254.169.254"));
        t.add(c("defaults", DEFAULTS, "example.com", 80, ips("fd00:ec2::254"), D, "ip.metadata", "default:fd00:ec2::254/128", "fd00:ec2::254"));
        t.add(c("defaults", DEFAULTS, "example.com", 80, ips("::ffff:127.0.0.1"), D, "ip.embedded_ipv4", "default:::ffff:0:0/96", "::ffff:127.0.0.1"));
        t.add(c("defaults", DEFAULTS, "example.com", 80, ips("64:ff9b::8.8.8.8"), D, "ip.embedded_ipv4", "default:64:ff9b::/96", "64:ff9b::8.8.8.8"));
        t.add(c("defaults", DEFAULTS, "example.com", 80, ips("198.18.0.1"), D, "ip.benchmark", "default:198.18.0.0/15", "198.18.0.1"));
        // built-in names
        t.add(c("defaults", DEFAULTS, "localhost", 80, ips("127.0.0.1"), D, "host.blocked_name", "default:localhost", null));
        t.add(c("defaults", DEFAULTS, "LOCALHOST.", 80, ips("127.0.0.1"), D, "host.blocked_name", "default:localhost", null));
        t.add(c("defaults", DEFAULTS, "ＬＯＣＡＬＨＯＳＴ", 80, ips("127.0.0.1"), D, "host.blocked_name", "default:localhost", null));
        t.add(c("defaults", DEFAULTS, "app.localhost", 80, ips("93.184.216.34"), D, "host.blocked_name", "default:*.localhost", null));
        t.add(c("defaults", DEFAULTS, "localhost.localdomain", 80, ips("93.184.216.34"), D, "host.blocked_name", "default:localhost.localdomain", null));
        t.add(c("defaults", DEFAULTS, "metadata.google.internal", 80, ips("93.184.216.34"), D, "host.blocked_name", "default:metadata.google.internal", null));
        t.add(c("defaults", DEFAULTS, "db.internal", 80, ips("93.184.216.34"), D, "host.blocked_name", "default:*.internal", null));
        t.add(c("defaults", DEFAULTS, "printer.local", 80, ips("93.184.216.34"), D, "host.blocked_name", "default:*.local", null));
        t.add(c("defaults", DEFAULTS, "local", 80, ips("93.184.216.34"), A, "ip.public", null, null));
        t.add(c("defaults", DEFAULTS, "notlocalhost", 80, ips("93.184.216.34"), A, "ip.public", null, null));
        // literals: no DNS, the answers are ignored
        t.add(c("defaults", DEFAULTS, "127.0.0.1", 80, ips("93.184.216.34"), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("defaults", DEFAULTS, "[::1]", 443, ips(), D, "ip.loopback", "default:::1/128", "::1"));
        t.add(c("defaults", DEFAULTS, "１２７.０.０.１", 80, ips(), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("defaults", DEFAULTS, "127。0。0。1", 80, ips(), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("defaults", DEFAULTS, "8.8.8.8", 443, ips("127.0.0.1"), A, "ip.public", null, "8.8.8.8"));
        t.add(c("defaults", DEFAULTS, "169.254.169.254", 80, ips(), D, "ip.metadata", "default:169.254.169.254/32", "169.254.169.254"));
        t.add(c("defaults", DEFAULTS, "::ffff:8.8.8.8", 80, ips(), D, "ip.embedded_ipv4", "default:::ffff:0:0/96", "::ffff:8.8.8.8"));
        t.add(c("defaults", DEFAULTS, "[::ffff:127.0.0.1]", 80, ips(), D, "ip.embedded_ipv4", "default:::ffff:0:0/96", "::ffff:127.0.0.1"));
        // non-canonical IPv4 spellings
        for (String legacy : List.of("0x7f.1", "0x7f000001", "2130706433", "0177.0.0.1", "127.1", "08.0.0.1", "127..0.1", "0x7g.0.0.1", "999.1.1.1", "0x7f.1.")) {
            t.add(c("defaults", DEFAULTS, legacy, 80, ips("93.184.216.34"), D, "host.legacy_ipv4_literal", "default:non-canonical-ipv4", null));
        }
        // zones
        t.add(c("defaults", DEFAULTS, "fe80::1%eth0", 80, ips(), D, "ip.link_local", "default:fe80::/10", "fe80::1%eth0"));
        t.add(c("defaults", DEFAULTS, "[FE80::1%ETH0]", 80, ips(), D, "ip.link_local", "default:fe80::/10", "fe80::1%eth0"));
        t.add(c("defaults", DEFAULTS, "2606:4700::1111%eth0", 443, ips(), D, "host.invalid", "zone-id", "2606:4700::1111%eth0"));
        // unreadable hosts
        for (String bad : List.of("a b", "example.com:80", "a/b", "a@b", "%00", "", "a..b", "*.example.com", "fe80::1%")) {
            t.add(c("defaults", DEFAULTS, bad, 80, ips("93.184.216.34"), D, "host.invalid", null, null));
        }

        // --- decode ---------------------------------------------------------------------------
        t.add(c("decode", DECODE, "::ffff:8.8.8.8", 80, ips(), A, "ip.public", null, "::ffff:8.8.8.8"));
        t.add(c("decode", DECODE, "::ffff:127.0.0.1", 80, ips(), D, "ip.embedded_ipv4", "default:127.0.0.0/8 via ::ffff:0:0/96", "::ffff:127.0.0.1"));
        t.add(c("decode", DECODE, "example.com", 80, ips("64:ff9b::8.8.8.8"), A, "ip.public", null, null));
        t.add(c("decode", DECODE, "example.com", 80, ips("64:ff9b::127.0.0.1"), D, "ip.embedded_ipv4", "default:127.0.0.0/8 via 64:ff9b::/96", "64:ff9b::127.0.0.1"));
        t.add(c("decode", DECODE, "example.com", 80, ips("64:ff9b::169.254.169.254"), D, "ip.embedded_ipv4", "default:169.254.169.254/32 via 64:ff9b::/96", "64:ff9b::169.254.169.254"));
        t.add(c("decode", DECODE, "example.com", 80, ips("64:ff9b:1::808:808"), D, "ip.embedded_ipv4", "default:64:ff9b:1::/48", "64:ff9b:1::808:808"));
        t.add(c("decode", DECODE, "example.com", 80, ips("2002:7f00:1::"), D, "ip.embedded_ipv4", "default:127.0.0.0/8 via 2002::/16", "2002:7f00:1::"));
        t.add(c("decode", DECODE, "example.com", 80, ips("2001:4860:1::5efe:7f00:1"), D, "ip.embedded_ipv4", "default:127.0.0.0/8 via isatap", "2001:4860:1::5efe:7f00:1"));
        t.add(c("defaults", DEFAULTS, "example.com", 80, ips("2001:4860:1::5efe:7f00:1"), D, "ip.embedded_ipv4", "default:127.0.0.0/8 via isatap", "2001:4860:1::5efe:7f00:1"));

        // --- cidr allow rules -----------------------------------------------------------------
        t.add(c("cidr", CIDR, "127.0.0.1", 11434, ips(), A, "allow.rule", "allow[0]:127.0.0.1/32", "127.0.0.1"));
        t.add(c("cidr", CIDR, "127.0.0.1", 11435, ips(), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("cidr", CIDR, "127.0.0.1", 80, ips(), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("cidr", CIDR, "127.0.0.2", 11434, ips(), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.2"));
        t.add(c("cidr", CIDR, "[::1]", 11434, ips(), D, "ip.loopback", "default:::1/128", "::1"));
        t.add(c("cidr", CIDR, "ollama.example", 11434, ips("127.0.0.1"), A, "allow.rule", "allow[0]:127.0.0.1/32", "127.0.0.1"));
        t.add(c("cidr", CIDR, "ollama.example", 11434, ips("93.184.216.34", "127.0.0.1"), A, "allow.rule", "allow[0]:127.0.0.1/32", "127.0.0.1"));
        t.add(c("cidr", CIDR, "ollama.example", 11434, ips("127.0.0.1", "10.0.0.1"), D, "ip.private", "default:10.0.0.0/8", "10.0.0.1"));
        t.add(c("cidr", CIDR, "localhost", 11434, ips("127.0.0.1"), D, "host.blocked_name", "default:localhost", null));
        t.add(c("cidr", CIDR, "169.254.1.1", 80, ips(), A, "allow.rule", "allow[1]:169.254.0.0/16", "169.254.1.1"));
        t.add(c("cidr", CIDR, "169.254.169.254", 80, ips(), D, "ip.metadata", "default:169.254.169.254/32", "169.254.169.254"));
        t.add(c("cidr", CIDR, "imds.example", 80, ips("169.254.169.254"), D, "ip.metadata", "default:169.254.169.254/32", "169.254.169.254"));
        t.add(c("cidr", CIDR, "169.254.169.253", 80, ips(), A, "allow.rule", "allow[1]:169.254.0.0/16", "169.254.169.253"));
        t.add(c("metadata", METADATA, "169.254.169.254", 80, ips(), A, "allow.rule", "allow[0]:169.254.169.254/32", "169.254.169.254"));
        t.add(c("metadata", METADATA, "169.254.169.254", 8080, ips(), D, "ip.metadata", "default:169.254.169.254/32", "169.254.169.254"));
        t.add(c("metadata", METADATA, "169.254.169.253", 80, ips(), D, "ip.link_local", "default:169.254.0.0/16", "169.254.169.253"));
        t.add(c("metadata", METADATA, "fd00:ec2::254", 80, ips(), A, "allow.rule", "allow[1]:fd00:ec2::254/128", "fd00:ec2::254"));
        t.add(c("metadata", METADATA, "100.100.100.200", 80, ips(), D, "ip.metadata", "default:100.100.100.200/32", "100.100.100.200"));

        // --- IPv4-mapped addresses and cidr rules (docs/policy.md, "Allow rules"): ::ffff:a.b.c.d is the
        // IPv4 address a.b.c.d for an allow rule, in either mode and in every spelling, because that
        // is the address a connection to it reaches. Without a rule, block-prefix still denies the
        // mapped prefix outright and decode judges it by its IPv4.
        String mappedPrefix = "default:::ffff:0:0/96";
        for (String literal : List.of("[::ffff:127.0.0.1]", "::ffff:127.0.0.1", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]")) {
            t.add(c("cidr", CIDR, literal, 11434, ips(), A, "allow.rule", "allow[0]:127.0.0.1/32", "::ffff:127.0.0.1"));
            t.add(c("cidr", CIDR, literal, 11435, ips(), D, "ip.embedded_ipv4", mappedPrefix, "::ffff:127.0.0.1"));
            t.add(c("cidr-decode", CIDR_DECODE, literal, 11434, ips(), A, "allow.rule", "allow[0]:127.0.0.1/32", "::ffff:127.0.0.1"));
            t.add(c("cidr-decode", CIDR_DECODE, literal, 11435, ips(), D, "ip.embedded_ipv4", "default:127.0.0.0/8 via ::ffff:0:0/96", "::ffff:127.0.0.1"));
            t.add(c("mapped-v6-rule", MAPPED_V6_RULE, literal, 11434, ips(), A, "allow.rule", "allow[0]:::ffff:127.0.0.1/128", "::ffff:127.0.0.1"));
        }
        t.add(c("mapped-v6-rule", MAPPED_V6_RULE, "127.0.0.1", 11434, ips(), A, "allow.rule", "allow[0]:::ffff:127.0.0.1/128", "127.0.0.1"));
        t.add(c("mapped-v6-rule", MAPPED_V6_RULE, "[::ffff:127.0.0.1]", 80, ips(), D, "ip.embedded_ipv4", mappedPrefix, "::ffff:127.0.0.1"));
        // an AAAA answer holding a mapped address (resolvers that keep it IPv6; the JDK hands it over as the IPv4)
        t.add(c("cidr", CIDR, "ollama.example", 11434, ips("::ffff:127.0.0.1"), A, "allow.rule", "allow[0]:127.0.0.1/32", "::ffff:127.0.0.1"));
        t.add(c("cidr", CIDR, "ollama.example", 11434, ips("127.0.0.1", "::ffff:127.0.0.1"), A, "allow.rule", "allow[0]:127.0.0.1/32", "127.0.0.1"));
        t.add(c("cidr", CIDR, "ollama.example", 11434, ips("::ffff:127.0.0.2"), D, "ip.embedded_ipv4", mappedPrefix, "::ffff:127.0.0.2"));
        t.add(c("cidr", CIDR, "ollama.example", 443, ips("::ffff:127.0.0.1"), D, "ip.embedded_ipv4", mappedPrefix, "::ffff:127.0.0.1"));
        // the same rules as for the IPv4 itself: metadata opens only for a rule naming it exactly
        t.add(c("cidr", CIDR, "[::ffff:169.254.1.1]", 80, ips(), A, "allow.rule", "allow[1]:169.254.0.0/16", "::ffff:169.254.1.1"));
        t.add(c("cidr", CIDR, "[::ffff:169.254.169.254]", 80, ips(), D, "ip.embedded_ipv4", mappedPrefix, "::ffff:169.254.169.254"));
        t.add(c("cidr-decode", CIDR_DECODE, "[::ffff:169.254.169.254]", 80, ips(), D, "ip.embedded_ipv4", "default:169.254.169.254/32 via ::ffff:0:0/96", "::ffff:169.254.169.254"));
        t.add(c("metadata", METADATA, "[::ffff:169.254.169.254]", 80, ips(), A, "allow.rule", "allow[0]:169.254.169.254/32", "::ffff:169.254.169.254"));
        // other embeddings reach other hosts (a NAT64 gateway, a 6to4 relay): an IPv4 rule never opens them
        t.add(c("cidr", CIDR, "[::127.0.0.1]", 11434, ips(), D, "ip.embedded_ipv4", "default:::/96", "::7f00:1"));
        t.add(c("cidr", CIDR, "[64:ff9b::127.0.0.1]", 11434, ips(), D, "ip.embedded_ipv4", "default:64:ff9b::/96", "64:ff9b::127.0.0.1"));
        t.add(c("cidr", CIDR, "[::ffff:0:7f00:1]", 11434, ips(), D, "ip.embedded_ipv4", "default:::ffff:0:0:0/96", "::ffff:0:7f00:1"));
        t.add(c("cidr-decode", CIDR_DECODE, "[64:ff9b::127.0.0.1]", 11434, ips(), D, "ip.embedded_ipv4", "default:127.0.0.0/8 via 64:ff9b::/96", "64:ff9b::127.0.0.1"));
        t.add(c("cidr-decode", CIDR_DECODE, "[2002:7f00:1::]", 11434, ips(), D, "ip.embedded_ipv4", "default:127.0.0.0/8 via 2002::/16", "2002:7f00:1::"));

        // --- host allow rules -----------------------------------------------------------------
        t.add(c("hosts", HOSTS, "localhost", 8080, ips("127.0.0.1"), A, "allow.rule", "allow[0]:localhost", "127.0.0.1"));
        t.add(c("hosts", HOSTS, "localhost", 8080, ips("::1"), A, "allow.rule", "allow[0]:localhost", "::1"));
        t.add(c("hosts", HOSTS, "localhost", 8080, ips("10.0.0.1"), A, "allow.rule", "allow[0]:localhost", "10.0.0.1"));
        t.add(c("hosts", HOSTS, "localhost", 8080, ips("169.254.169.254"), D, "ip.metadata", "default:169.254.169.254/32", "169.254.169.254"));
        t.add(c("hosts", HOSTS, "localhost", 8080, ips("::ffff:127.0.0.1"), D, "ip.embedded_ipv4", "default:::ffff:0:0/96", "::ffff:127.0.0.1"));
        t.add(c("hosts", HOSTS, "localhost", 8081, ips("127.0.0.1"), D, "host.blocked_name", "default:localhost", null));
        t.add(c("hosts", HOSTS, "localhost", HostPort.NO_PORT, ips("127.0.0.1"), D, "host.blocked_name", "default:localhost", null));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("10.1.2.3"), A, "allow.rule", "allow[1]:*.corp.example", "10.1.2.3"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("172.16.0.1", "192.168.1.1"), A, "allow.rule", "allow[1]:*.corp.example", "172.16.0.1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("100.64.0.1"), A, "allow.rule", "allow[1]:*.corp.example", "100.64.0.1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("fd12::1"), A, "allow.rule", "allow[1]:*.corp.example", "fd12::1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("198.18.0.1"), A, "allow.rule", "allow[1]:*.corp.example", "198.18.0.1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("192.0.2.1"), A, "allow.rule", "allow[1]:*.corp.example", "192.0.2.1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("93.184.216.34"), A, "ip.public", null, null));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("127.0.0.1"), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("::1"), D, "ip.loopback", "default:::1/128", "::1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("169.254.1.1"), D, "ip.link_local", "default:169.254.0.0/16", "169.254.1.1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("fe80::1"), D, "ip.link_local", "default:fe80::/10", "fe80::1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("169.254.169.254"), D, "ip.metadata", "default:169.254.169.254/32", "169.254.169.254"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("fd00:ec2::254"), D, "ip.metadata", "default:fd00:ec2::254/128", "fd00:ec2::254"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("0.0.0.0"), D, "ip.unspecified", "default:0.0.0.0/8", "0.0.0.0"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("224.0.0.1"), D, "ip.multicast", "default:224.0.0.0/4", "224.0.0.1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("240.0.0.1"), D, "ip.reserved", "default:240.0.0.0/4", "240.0.0.1"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("::ffff:10.1.2.3"), D, "ip.embedded_ipv4", "default:::ffff:0:0/96", "::ffff:10.1.2.3"));
        t.add(c("hosts", HOSTS, "a.corp.example", 443, ips("10.1.2.3", "127.0.0.1"), D, "ip.loopback", "default:127.0.0.0/8", "127.0.0.1"));
        t.add(c("hosts", HOSTS, "corp.example", 443, ips("10.1.2.3"), D, "ip.private", "default:10.0.0.0/8", "10.1.2.3"));
        t.add(c("hosts", HOSTS, "x.internal", 443, ips("10.1.2.3"), D, "host.blocked_name", "default:*.internal", null));
        t.add(c("hosts", HOSTS, "metadata.google.internal", 80, ips("169.254.169.254"), D, "ip.metadata", "default:169.254.169.254/32", "169.254.169.254"));
        t.add(c("hosts", HOSTS, "10.1.2.3", 443, ips(), D, "ip.private", "default:10.0.0.0/8", "10.1.2.3"));

        // --- ports ----------------------------------------------------------------------------
        t.add(c("ports", PORTS, "example.com", 8080, ips("93.184.216.34"), D, "port.not_allowed", "ports", null));
        t.add(c("ports", PORTS, "example.com", 443, ips("93.184.216.34"), A, "ip.public", null, null));
        t.add(c("ports", PORTS, "example.com", 80, ips("93.184.216.34"), A, "ip.public", null, null));
        t.add(c("ports", PORTS, "example.com", HostPort.NO_PORT, ips("93.184.216.34"), A, "ip.public", null, null));
        t.add(c("ports", PORTS, "8.8.8.8", 8080, ips(), D, "port.not_allowed", "ports", null));
        t.add(c("ports", PORTS, "localhost", 8080, ips(), D, "port.not_allowed", "ports", null));
        t.add(c("ports", PORTS, "0x7f.1", 8080, ips(), D, "host.legacy_ipv4_literal", "default:non-canonical-ipv4", null));

        // --- deny.hostnames beats host allow rules --------------------------------------------
        t.add(c("deny-names", DENY_NAMES, "a.corp.example", 80, ips("10.1.2.3"), D, "host.blocked_name", "deny.hostnames[0]:*.corp.example", null));
        t.add(c("deny-names", DENY_NAMES, "b.corp.example", 80, ips("93.184.216.34"), D, "host.blocked_name", "deny.hostnames[0]:*.corp.example", null));
        t.add(c("deny-names", DENY_NAMES, "TRACKER.example.", 80, ips("93.184.216.34"), D, "host.blocked_name", "deny.hostnames[1]:tracker.example", null));
        t.add(c("deny-names", DENY_NAMES, "corp.example", 80, ips("93.184.216.34"), A, "ip.public", null, null));

        // --- a zone id is never a way in ------------------------------------------------------
        t.add(c("zones", ZONES, "fe80::1", 80, ips(), A, "allow.rule", "allow[0]:fe80::/10", "fe80::1"));
        t.add(c("zones", ZONES, "fe80::1%eth0", 80, ips(), D, "host.invalid", "zone-id", "fe80::1%eth0"));
        t.add(c("zones", ZONES, "[fe80::1%eth0]", 80, ips(), D, "host.invalid", "zone-id", "fe80::1%eth0"));

        // --- deny.ranges ----------------------------------------------------------------------
        t.add(c("deny-ranges", DENY_RANGES, "8.8.8.8", 53, ips(), D, "ip.denied_range", "deny.ranges[0]:8.8.8.0/24", "8.8.8.8"));
        t.add(c("deny-ranges", DENY_RANGES, "dns.google", 53, ips("8.8.4.4", "8.8.8.8"), D, "ip.denied_range", "deny.ranges[0]:8.8.8.0/24", "8.8.8.8"));
        t.add(c("deny-ranges", DENY_RANGES, "dns.google", 53, ips("8.8.4.4", "2001:4860:4860::8888"), D, "ip.denied_range", "deny.ranges[1]:2001:4860::/32", "2001:4860:4860::8888"));
        t.add(c("deny-ranges", DENY_RANGES, "dns.google", 53, ips("8.8.4.4"), A, "ip.public", null, null));
        t.add(c("deny-ranges", DENY_RANGES_DECODE, "dns.google", 53, ips("64:ff9b::8.8.8.8"), D, "ip.embedded_ipv4", "deny.ranges[0]:8.8.8.0/24 via 64:ff9b::/96", "64:ff9b::8.8.8.8"));
        t.add(c("deny-ranges", DENY_RANGES_DECODE, "::ffff:8.8.8.8", 53, ips(), D, "ip.embedded_ipv4", "deny.ranges[0]:8.8.8.0/24 via ::ffff:0:0/96", "::ffff:8.8.8.8"));
        return t.stream();
    }

    @ParameterizedTest(name = "{0} -> {5} {6} {7}")
    @MethodSource("cases")
    void decides(String name, Policy policy, String host, int port, List<String> answers,
            Verdict verdict, String reason, String rule, String address) {
        List<IpAddress> resolved = answers.stream().map(IpLiterals::parse).collect(java.util.stream.Collectors.toList());
        Decision d = policy.decide(host, port, resolved);
        assertThat(d.verdict()).as("verdict: %s", d).isEqualTo(verdict);
        assertThat(d.reason().code()).as("reason: %s", d).isEqualTo(reason);
        assertThat(d.rule().orElse(null)).as("rule: %s", d).isEqualTo(rule);
        assertThat(d.address().map(IpAddress::toString).orElse(null)).as("address: %s", d).isEqualTo(address);
        assertThat(d.isAllowed()).isEqualTo(verdict == Verdict.ALLOW);
        assertThat(d.isDenied()).isEqualTo(verdict == Verdict.DENY);
        assertThat(d.reason().isAllowing()).as("an allowing reason exactly when allowed").isEqualTo(d.isAllowed());
    }

    // ---------------------------------------------------------------------------------------------
    // The two steps, separately
    // ---------------------------------------------------------------------------------------------

    @Test
    void checkHostLeavesNamesToResolution() {
        HostCheck check = HOSTS.checkHost("A.Corp.Example.", 443);
        assertThat(check instanceof HostCheck.Pending).isTrue();
        assertThat(check.decisionSoFar().reason()).isEqualTo(Reason.HOST_NOT_RESOLVED);
        assertThat(check.decisionSoFar().rule()).contains("allow[1]:*.corp.example");
        Destination d = check.destination().orElseThrow();
        assertThat(d.host()).isEqualTo("a.corp.example");
        assertThat(d.port()).isEqualTo(443);
        assertThat(d.literal()).isEmpty();
        assertThat(d.hostRule()).map(AllowRule::id).contains("allow[1]:*.corp.example");
        assertThat(d.toString()).isEqualTo("a.corp.example:443");

        HostCheck plain = DEFAULTS.checkHost("example.com", HostPort.NO_PORT);
        assertThat(plain instanceof HostCheck.Pending).isTrue();
        assertThat(plain.decisionSoFar().rule()).isEmpty();
        assertThat(plain.destination().orElseThrow().hostRule()).isEmpty();
        assertThat(plain.destination().orElseThrow().toString()).isEqualTo("example.com");
    }

    @Test
    void checkHostDecidesLiteralsAtOnce() {
        HostCheck check = DEFAULTS.checkHost("[::1]", 443);
        assertThat(check instanceof HostCheck.Pending).isFalse();
        assertThat(check.destination().orElseThrow().literal()).contains(IpLiterals.parse("::1"));
        assertThat(check.destination().orElseThrow().toString()).isEqualTo("[::1]:443");
        assertThat(check.decisionSoFar().reason()).isEqualTo(Reason.IP_LOOPBACK);

        HostCheck pub = DEFAULTS.checkHost("8.8.8.8", 443);
        assertThat(pub instanceof HostCheck.Pending).isFalse();
        assertThat(pub.decisionSoFar().isAllowed()).isTrue();
    }

    @Test
    void anUnreadableHostHasNoDestination() {
        HostCheck check = DEFAULTS.checkHost("a b", 80);
        assertThat(check.destination()).isEmpty();
        assertThat(check instanceof HostCheck.Pending).isFalse();
        assertThat(check.decisionSoFar()).isEqualTo(Decision.deny(Reason.HOST_INVALID));
        assertThat(DEFAULTS.checkHost(null, 80).decisionSoFar().reason()).isEqualTo(Reason.HOST_INVALID);
    }

    @Test
    void decideAddressJudgesOneAddress() {
        Destination d = CIDR.checkHost("ollama.example", 11434).destination().orElseThrow();
        assertThat(CIDR.decideAddress(d, IpLiterals.parse("127.0.0.1")))
                .isEqualTo(Decision.allow(Reason.ALLOW_RULE, "allow[0]:127.0.0.1/32").withAddress(IpLiterals.parse("127.0.0.1")));
        assertThat(CIDR.decideAddress(d, IpLiterals.parse("93.184.216.34")))
                .isEqualTo(Decision.allow(Reason.IP_PUBLIC, null).withAddress(IpLiterals.parse("93.184.216.34")));
        assertThat(CIDR.decideAddress(d, IpLiterals.parse("10.0.0.1")).reason()).isEqualTo(Reason.IP_PRIVATE);
        assertThatThrownBy(() -> CIDR.decide((Destination) null, List.of())).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theDefaultPolicy() {
        assertThat(Policy.defaults()).isSameAs(DEFAULTS);
        assertThat(DEFAULTS.embeddedIpv4()).isEqualTo(EmbeddedIpv4Mode.BLOCK_PREFIX);
        assertThat(DEFAULTS.mode()).isEqualTo(EnforcementMode.ENFORCE);
        assertThat(DEFAULTS.ports().isAny()).isTrue();
        assertThat(DEFAULTS.allowRules()).isEmpty();
        assertThat(DEFAULTS.deniedRanges()).isEmpty();
        assertThat(DEFAULTS.deniedHostnames()).isEmpty();
        assertThat(DECODE.embeddedIpv4()).isEqualTo(EmbeddedIpv4Mode.DECODE);
        assertThat(DECODE.classifier().mode()).isEqualTo(EmbeddedIpv4Mode.DECODE);
    }

    @Test
    void reportModeComputesTheSameDecisionsAndRecordsDenialsAsWouldDeny() {
        Policy report = Policy.builder().mode(EnforcementMode.REPORT).build();
        assertThat(report.mode()).isEqualTo(EnforcementMode.REPORT);
        Decision enforced = DEFAULTS.decide("127.0.0.1", 80, List.of());
        assertThat(report.decide("127.0.0.1", 80, List.of())).isEqualTo(enforced.reportedOnly());
        assertThat(enforced.reportedOnly().verdict()).isEqualTo(Verdict.WOULD_DENY);
        assertThat(enforced.reportedOnly().permitsTraffic()).isTrue();
        // a name the host rules block: its answers are still looked at, and the block is what is reported
        HostCheck blocked = report.checkHost("metadata.google.internal", 80);
        assertThat(blocked).isInstanceOf(HostCheck.Pending.class);
        assertThat(report.decide((HostCheck.Pending) blocked, List.of(IpLiterals.parse("169.254.169.254"))))
                .isEqualTo(DEFAULTS.checkHost("metadata.google.internal", 80).decisionSoFar().reportedOnly());
        // what traffic cannot pass stays denied: an unreadable host, a non-canonical IPv4 spelling, no answers
        assertThat(report.checkHost("0x7f000001", 80).decisionSoFar().verdict()).isEqualTo(Verdict.DENY);
        assertThat(report.checkHost("a b", 80).decisionSoFar().verdict()).isEqualTo(Verdict.DENY);
        assertThat(report.decide((HostCheck.Pending) report.checkHost("example.com", 80), List.of()).verdict()).isEqualTo(Verdict.DENY);
        assertThat(EnforcementMode.fromCode(" Report ")).contains(EnforcementMode.REPORT);
        assertThat(EnforcementMode.fromCode("audit")).isEmpty();
    }

    @Test
    void ruleIdsFollowTheOrderRulesWereAdded() {
        assertThat(CIDR.allowRules()).extracting(AllowRule::id)
                .containsExactly("allow[0]:127.0.0.1/32", "allow[1]:169.254.0.0/16");
        assertThat(HOSTS.allowRules()).extracting(AllowRule::id)
                .containsExactly("allow[0]:localhost", "allow[1]:*.corp.example", "allow[2]:metadata.google.internal");
        assertThat(DENY_RANGES.deniedRanges()).extracting(DeniedRange::rule)
                .containsExactly("deny.ranges[0]:8.8.8.0/24", "deny.ranges[1]:2001:4860::/32");
        AllowRule unplaced = AllowRule.cidr(IpRange.parse("10.0.0.0/8"), PortSet.of(443), "why");
        assertThat(unplaced.id()).isNull();
        assertThat(unplaced.toString()).isEqualTo("10.0.0.0/8 ports 443 (why)");
        assertThat(CIDR.allowRules().get(0).toString()).isEqualTo("allow[0]:127.0.0.1/32 ports 11434 (local model server)");
        assertThat(CIDR.allowRules().get(0).reason()).isEqualTo("local model server");
        assertThat(CIDR.allowRules().get(0).cidr()).contains(IpRange.parse("127.0.0.1/32"));
        assertThat(CIDR.allowRules().get(0).host()).isEmpty();
        assertThat(HOSTS.allowRules().get(1).host()).contains(HostPattern.parse("*.corp.example"));
    }

    @Test
    void toBuilderKeepsEveryRule() {
        Policy copy = DENY_NAMES.toBuilder().build();
        assertThat(copy.allowRules()).extracting(AllowRule::id).isEqualTo(DENY_NAMES.allowRules().stream().map(AllowRule::id)
                .collect(java.util.stream.Collectors.toList()));
        assertThat(copy.deniedHostnames()).isEqualTo(DENY_NAMES.deniedHostnames());
        assertThat(copy.decide("a.corp.example", 80, List.of())).isEqualTo(DENY_NAMES.decide("a.corp.example", 80, List.of()));
        Policy ports = PORTS.toBuilder().build();
        assertThat(ports.ports()).isEqualTo(PortSet.of(80, 443));
        assertThat(DENY_RANGES_DECODE.deniedRanges()).isEqualTo(DENY_RANGES.deniedRanges());
    }

    @Test
    void builderRejectsNulls() {
        assertThatThrownBy(() -> Policy.builder().embeddedIpv4(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Policy.builder().ports(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Policy.builder().allow(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Policy.builder().denyHostname(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AllowRule.cidr(null, PortSet.ANY, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AllowRule.host(HostPattern.parse("a.example"), null, "x")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void decisionValue() {
        Decision d = Decision.deny(Reason.IP_LOOPBACK, "default:127.0.0.0/8").withAddress(IpLiterals.parse("127.0.0.1"));
        assertThat(d.toString()).isEqualTo("deny ip.loopback (default:127.0.0.0/8) [127.0.0.1]");
        assertThat(d).isEqualTo(Decision.deny(Reason.IP_LOOPBACK, "default:127.0.0.0/8").withAddress(IpLiterals.parse("127.0.0.1")))
                .hasSameHashCodeAs(Decision.deny(Reason.IP_LOOPBACK, "default:127.0.0.0/8").withAddress(IpLiterals.parse("127.0.0.1")));
        assertThat(d).isNotEqualTo(Decision.deny(Reason.IP_LOOPBACK, "default:127.0.0.0/8"));
        assertThat(Decision.allow(Reason.IP_PUBLIC, null).toString()).isEqualTo("allow ip.public");
        assertThat(Verdict.ALLOW.code()).isEqualTo("allow");
        assertThat(Verdict.DENY.code()).isEqualTo("deny");
    }

    @Test
    void reasonCodesAreStableAndUnique() {
        assertThat(Stream.of(Reason.values()).map(Reason::code).distinct().count()).isEqualTo(Reason.values().length);
        for (Reason r : Reason.values()) {
            assertThat(r.code()).matches("[a-z]+\\.[a-z0-9_]+");
            assertThat(r.description()).isNotBlank();
        }
        assertThat(Reason.values()).filteredOn(Reason::isAllowing)
                .containsExactlyInAnyOrder(Reason.IP_PUBLIC, Reason.ALLOW_RULE, Reason.HOST_NOT_RESOLVED, Reason.HTTP_RULE_ALLOWED);
    }

    // ---------------------------------------------------------------------------------------------
    // Metadata addresses in embedded spellings
    // ---------------------------------------------------------------------------------------------

    @Test
    void aWideCidrRuleNeverOpensAMappedMetadataAddress() {
        for (Policy p : List.of(CIDR, CIDR.toBuilder().embeddedIpv4(EmbeddedIpv4Mode.DECODE).build())) {
            assertThat(p.decide("::ffff:169.254.169.254", 80, List.of()).isDenied()).as(p.embeddedIpv4().code()).isTrue();
            assertThat(p.decide("imds.example", 80, List.of(IpLiterals.parse("::ffff:169.254.169.254"))).isDenied())
                    .as(p.embeddedIpv4().code()).isTrue();
        }
        Policy cgnat = Policy.builder().allow(AllowRule.cidr(IpRange.parse("100.64.0.0/10"), PortSet.ANY, "cgnat")).build();
        assertThat(cgnat.decide("::ffff:100.100.100.200", 80, List.of()).isDenied()).isTrue();
    }

    @Test
    void aWideCidrRuleNeverOpensAMetadataAddressThroughDecodedEmbeddings() {
        // decode mode keeps the metadata class through the embedding
        Policy decode = CIDR.toBuilder().embeddedIpv4(EmbeddedIpv4Mode.DECODE).build();
        Decision d = decode.decide("::ffff:169.254.169.254", 80, List.of());
        assertThat(d.isDenied()).isTrue();
        assertThat(d.rule()).contains("default:169.254.169.254/32 via ::ffff:0:0/96");
        assertThat(decode.decide("imds.example", 80, List.of(IpLiterals.parse("2002:a9fe:a9fe::1"))).isDenied()).isTrue();
    }
}
