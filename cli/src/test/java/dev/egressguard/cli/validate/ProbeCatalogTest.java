package dev.egressguard.cli.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.core.classify.BlockedHostnames;
import dev.egressguard.core.classify.EmbeddingKind;
import dev.egressguard.core.classify.SpecialUseRanges;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.TargetUrl;
import dev.egressguard.core.net.WhatwgIpv4Literals;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProbeCatalogTest {
    private static final List<Probe> ALL = ProbeCatalog.probes(Scope.ALL, Optional.of("rebind.example"), TargetUrl.tryParse("https://example.com/"));
    private static final List<Probe> LOOPBACK = ProbeCatalog.probes(Scope.LOOPBACK, Optional.empty(), Optional.empty());

    /** The address a probe's host spells in canonical text, zone id dropped; empty for names and legacy spellings. */
    private static Optional<IpAddress> address(Probe p) {
        String host = p.host().replaceAll("%25.*\\]$", "]");
        return IpLiterals.tryParseHost(host);
    }

    @Test
    void everyBuiltInDeniedRangeHasAProbeInside() {
        for (SpecialUseRanges.Entry e : SpecialUseRanges.all()) {
            if (e.reason().isEmpty()) {
                continue; // a globally reachable carve-out
            }
            assertThat(ALL.stream().map(ProbeCatalogTest::address).flatMap(Optional::stream).anyMatch(a -> e.range().contains(a)))
                    .as("a probe inside " + e.range()).isTrue();
        }
    }

    @Test
    void everyEmbeddedIpv4FormHasAProbe() {
        Set<EmbeddingKind> seen = new HashSet<>();
        for (Probe p : ALL) {
            address(p).filter(a -> !a.isIpv4()).map(a -> EmbeddingKind.of(a.high(), a.low())).ifPresent(seen::add);
            address(p).filter(a -> !a.isIpv4() && EmbeddingKind.hasIsatapInterfaceId(a.low())).ifPresent(a -> seen.add(EmbeddingKind.ISATAP));
        }
        assertThat(seen).containsAll(List.of(EmbeddingKind.values()));
    }

    @Test
    void everyBuiltInBlockedNameHasAProbe() {
        for (HostPattern pattern : BlockedHostnames.DEFAULTS) {
            assertThat(ALL.stream().anyMatch(p -> pattern.matches(Hostnames.normalize(p.host())))).as("a probe for " + pattern).isTrue();
        }
    }

    @Test
    void everyDestinationGoesOutAsGetAndAsConnect() {
        Set<String> get = ALL.stream().filter(p -> p.method() == ProbeMethod.GET && p.landing() != Landing.PUBLIC)
                .map(p -> p.group() + " " + p.host()).collect(Collectors.toSet());
        Set<String> connect = ALL.stream().filter(p -> p.method() == ProbeMethod.CONNECT && p.landing() != Landing.PUBLIC)
                .map(p -> p.group() + " " + p.host()).collect(Collectors.toSet());
        assertThat(get).isEqualTo(connect).hasSizeGreaterThan(100);
        assertThat(ALL.stream().map(Probe::id).distinct().count()).isEqualTo(ALL.size());
    }

    @Test
    void loopbackScopeSendsOnlyCanaryProbesWhoseLiteralsLandOnLoopback() {
        assertThat(LOOPBACK).allMatch(Probe::usesCanary);
        assertThat(LOOPBACK).extracting(Probe::method).contains(ProbeMethod.WEBSOCKET);
        for (Probe p : LOOPBACK) {
            Optional<IpAddress> literal = address(p).or(() -> WhatwgIpv4Literals.tryParse(Hostnames.normalize(p.host())));
            literal.ifPresent(a -> {
                IpAddress v4 = a.isIpv4() ? a : EmbeddingKind.extract(a).orElse(a);
                boolean lands = v4.isIpv4() ? (v4.toString().startsWith("127.") || v4.toString().equals("0.0.0.0"))
                        : (v4.toString().equals("::1") || v4.toString().equals("::"));
                assertThat(lands).as(p.host() + " lands on this machine's loopback").isTrue();
            });
            if (literal.isEmpty() && !p.host().startsWith("[")) {
                assertThat(Hostnames.isLoopbackName(Hostnames.normalize(p.host())) || p.host().endsWith(".localdomain")
                        || p.host().startsWith("%")).as(p.host() + " is a loopback name").isTrue();
            }
        }
    }

    @Test
    void rebindingAndPublicProbesFollowTheirOptions() {
        assertThat(ALL).filteredOn(p -> p.group() == ProbeGroup.DNS_REBINDING)
                .extracting(Probe::host, Probe::attempts).containsOnly(org.assertj.core.groups.Tuple.tuple("rebind.example", ProbeCatalog.REBIND_ATTEMPTS));
        assertThat(ALL).filteredOn(p -> p.group() == ProbeGroup.PUBLIC).singleElement()
                .satisfies(p -> assertThat(p.destination()).isEqualTo("example.com:443"))
                .satisfies(p -> assertThat(p.method()).isEqualTo(ProbeMethod.CONNECT));
        assertThat(LOOPBACK).noneMatch(p -> p.group() == ProbeGroup.DNS_REBINDING || p.group() == ProbeGroup.PUBLIC);
    }

    @Test
    void aZoneIdIsUnescapedOnlyInTheConnectAuthority() {
        Probe zone = LOOPBACK.stream().filter(p -> p.host().contains("%25")).findFirst().orElseThrow();
        assertThat(zone.authorityHost()).isEqualTo("[::1%lo]");
    }
}
