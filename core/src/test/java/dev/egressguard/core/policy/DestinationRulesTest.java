package dev.egressguard.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** (identity, host, port) -> (action, reason, rule): deny patterns, then allow, then ask, then the default. */
class DestinationRulesTest {
    private static List<DestinationPattern> patterns(String... p) {
        return Stream.of(p).map(DestinationPattern::parse).collect(Collectors.toList());
    }

    /** The example: coder may reach the model API and package mirrors only. */
    private static final DestinationRules CODER = DestinationRules.of("coder", DestinationAction.DENY,
            patterns("gist.githubusercontent.com"),
            patterns("api.openai.com:443", "*.githubusercontent.com", "pypi.org"),
            patterns("*.github.com"),
            "coder may reach the model API and package mirrors only");

    private static final DestinationRules CI = DestinationRules.of("ci", DestinationAction.ASK,
            patterns("*.pastebin.example", "203.0.113.0/24"), patterns("*.maven.example", "198.51.100.7:443"), List.of(), null);

    private static final DestinationRules OPEN = DestinationRules.of("default", DestinationAction.ALLOW,
            patterns("*.tracker.example"), List.of(), patterns("*.new.example"), null);

    private static final DestinationPolicy POLICY = DestinationPolicy.of(
            Identities.of(List.of(
                    new Identity("coder", List.of("alice"), List.of()),
                    new Identity("ci", List.of(), List.of(IpRange.parse("10.20.0.0/16"))),
                    new Identity("unlisted", List.of("bob"), List.of()))),
            List.of(CODER, CI, OPEN));

    @ParameterizedTest(name = "{0}: {1}:{2} -> {3} {4} {5}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // deny patterns come first, even when an allow pattern names the host too
            "coder | gist.githubusercontent.com   | 443  | deny  | dest.denied      | destinations.coder.deny[0]:gist.githubusercontent.com",
            "coder | raw.githubusercontent.com    | 443  | allow | -                | destinations.coder.allow[1]:*.githubusercontent.com",
            "coder | githubusercontent.com        | 443  | deny  | dest.not_allowed | destinations.coder.default:deny",
            "coder | API.OpenAI.com.              | 443  | allow | -                | destinations.coder.allow[0]:api.openai.com:443",
            "coder | api.openai.com               | 80   | deny  | dest.not_allowed | destinations.coder.default:deny",
            "coder | pypi.org                     | 8443 | allow | -                | destinations.coder.allow[2]:pypi.org",
            "coder | api.github.com               | 443  | ask   | -                | destinations.coder.ask[0]:*.github.com",
            "coder | github.com                   | 443  | deny  | dest.not_allowed | destinations.coder.default:deny",
            "coder | 140.82.112.3                 | 443  | deny  | dest.not_allowed | destinations.coder.default:deny",
            // CIDR and IP patterns: literal targets only
            "ci    | 203.0.113.9                  | 443  | deny  | dest.denied      | destinations.ci.deny[1]:203.0.113.0/24",
            "ci    | 198.51.100.7                 | 443  | allow | -                | destinations.ci.allow[1]:198.51.100.7:443",
            "ci    | [::ffff:198.51.100.7]        | 443  | allow | -                | destinations.ci.allow[1]:198.51.100.7:443",
            "ci    | 198.51.100.7                 | 80   | ask   | -                | destinations.ci.default:ask",
            "ci    | repo.maven.example           | 443  | allow | -                | destinations.ci.allow[0]:*.maven.example",
            "ci    | maven.example                | 443  | ask   | -                | destinations.ci.default:ask",
            // the default entry: for connections no identity matches, and identities with no entry
            "default  | www.example.com           | 443  | allow | -                | destinations.default.default:allow",
            "default  | x.tracker.example         | 443  | deny  | dest.denied      | destinations.default.deny[0]:*.tracker.example",
            "default  | a.new.example             | 443  | ask   | -                | destinations.default.ask[0]:*.new.example",
            "unlisted | x.tracker.example         | 443  | deny  | dest.denied      | destinations.default.deny[0]:*.tracker.example",
    })
    void decides(String identity, String host, int port, String action, String reason, String rule) {
        DestinationDecision d = POLICY.decide(identity, host, port);
        assertThat(d.action().code()).isEqualTo(action);
        assertThat(d.reason().map(Reason::code).orElse(null)).isEqualTo(reason);
        assertThat(d.rule()).contains(rule);
        assertThat(d.isDenied()).isEqualTo(reason != null);
        assertThat(d.denial().map(Decision::reason).map(Reason::code).orElse(null)).isEqualTo(reason);
        // the same through the host rules' Destination, as the proxy evaluates it
        Destination destination = Policy.defaults().checkHost(host, port).destination().orElseThrow();
        assertThat(POLICY.decide(identity, destination)).isEqualTo(d);
    }

    @Test
    void theIdentitysMessageTravelsWithItsDecisions() {
        DestinationDecision d = POLICY.decide("coder", "evil.example", 443);
        assertThat(d.message()).contains("coder may reach the model API and package mirrors only");
        assertThat(d.identity()).isEqualTo("coder");
        assertThat(d.denial()).contains(Decision.deny(Reason.DEST_NOT_ALLOWED, "destinations.coder.default:deny"));
        assertThat(d).hasToString("coder: deny dest.not_allowed (destinations.coder.default:deny)");
        assertThat(POLICY.decide("ci", "evil.example", 443).message()).isEmpty();
        assertThat(POLICY.decide("ci", "evil.example", 443).needsApproval()).isTrue();
    }

    @Test
    void withoutADestinationsBlockEverythingTheDenylistAllowsIsAllowed() {
        DestinationDecision d = DestinationPolicy.none().decide("default", "anything.example", 443);
        assertThat(d.isAllowed()).isTrue();
        assertThat(d.rule()).isEmpty();
        assertThat(d.denial()).isEmpty();
        assertThat(DestinationPolicy.none().isEmpty()).isTrue();
        assertThat(DestinationPolicy.none().asks()).isFalse();
        // entries without a default entry: unmatched connections are unaffected
        DestinationPolicy onlyCoder = DestinationPolicy.of(POLICY.identities(), List.of(CODER));
        assertThat(onlyCoder.decide("default", "anything.example", 443).isAllowed()).isTrue();
        assertThat(onlyCoder.decide("ci", "anything.example", 443).rule()).isEmpty();
        assertThat(onlyCoder.identitiesWithoutEntry()).containsExactly("ci", "unlisted");
    }

    @Test
    void anUnreadableHostIsDeniedAsInvalid() {
        DestinationDecision d = CODER.evaluate("exa mple.com", 443);
        assertThat(d.reason()).contains(Reason.HOST_INVALID);
    }

    @Test
    void identitiesMatchFirstUsersAndClientsBothWhenBothAreGiven() {
        Identities ids = Identities.of(List.of(
                new Identity("alice-ci", List.of("alice"), List.of(IpRange.parse("10.20.0.0/16"))),
                new Identity("coder", List.of("alice", "carol"), List.of()),
                new Identity("ci", List.of(), List.of(IpRange.parse("10.20.0.0/16"), IpRange.parse("2001:db8::/32")))));
        assertThat(ids.identify(Optional.of("alice"), IpLiterals.parse("10.20.3.4"))).isEqualTo("alice-ci");
        assertThat(ids.identify(Optional.of("alice"), IpLiterals.parse("127.0.0.1"))).isEqualTo("coder");
        assertThat(ids.identify(Optional.of("carol"), IpLiterals.parse("10.20.3.4"))).isEqualTo("coder");
        assertThat(ids.identify(Optional.empty(), IpLiterals.parse("10.20.255.255"))).isEqualTo("ci");
        assertThat(ids.identify(Optional.empty(), IpLiterals.parse("::ffff:10.20.0.1"))).isEqualTo("ci");
        assertThat(ids.identify(Optional.of("bob"), IpLiterals.parse("2001:db8::9"))).isEqualTo("ci");
        assertThat(ids.identify(Optional.empty(), IpLiterals.parse("10.21.0.0"))).isEqualTo("default");
        assertThat(ids.identify(Optional.of("Alice"), IpLiterals.parse("127.0.0.1"))).as("user names are exact").isEqualTo("default");
        assertThat(ids.identify(Optional.empty(), null)).isEqualTo("default");
        assertThat(Identities.none().identify(Optional.of("alice"), IpLiterals.parse("10.20.0.1"))).isEqualTo("default");
    }

    @Test
    void identityNamesAreShortPlainAndNeverDefault() {
        assertThat(Identity.nameProblem("coder")).isEmpty();
        assertThat(Identity.nameProblem("team.ci-2_a")).isEmpty();
        assertThat(Identity.nameProblem("x".repeat(64))).isEmpty();
        for (String bad : List.of("", "x".repeat(65), "-lead", "has space", "ünïcode", "a:b", "a{b}")) {
            assertThat(Identity.nameProblem(bad)).as(bad).isPresent();
        }
        assertThat(Identity.nameProblem("default")).contains("another name; \"default\" names the connections no identity matches");
        assertThatThrownBy(() -> new Identity("x", List.of(), List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one of them");
        assertThatThrownBy(() -> Identities.of(List.of(new Identity("a", List.of("u"), List.of()), new Identity("a", List.of("v"), List.of()))))
                .hasMessage("identities: \"a\" (expected: each name once)");
        assertThatThrownBy(() -> DestinationPolicy.of(Identities.none(), List.of(CODER)))
                .hasMessage("destinations: \"coder\" (expected: an identity name or default)");
    }

    @Test
    void asksIsTrueForAskPatternsAndAnAskDefault() {
        assertThat(CODER.asks()).isTrue();
        assertThat(CI.asks()).isTrue();
        assertThat(DestinationRules.of("x", DestinationAction.DENY, List.of(), patterns("a.example"), List.of(), null).asks()).isFalse();
        assertThat(POLICY.asks()).isTrue();
    }

    @Test
    void destinationAndApprovalDenialsArePolicyDenialsWithStableCodes() {
        assertThat(Stream.of(Reason.DEST_NOT_ALLOWED, Reason.DEST_DENIED, Reason.APPROVAL_DENIED, Reason.APPROVAL_TIMEOUT,
                Reason.APPROVAL_ERROR).map(Reason::code))
                .containsExactly("dest.not_allowed", "dest.denied", "approval.denied", "approval.timeout", "approval.error");
        for (Reason r : Reason.values()) {
            boolean expected = r.code().startsWith("dest.") || r.code().startsWith("approval.")
                    || (r.code().startsWith("ip.") && !r.isAllowing())
                    || r == Reason.HOST_BLOCKED_NAME || r == Reason.HOST_LEGACY_IPV4_LITERAL || r == Reason.PORT_NOT_ALLOWED
                    || r == Reason.TLS_SNI_MISMATCH || r == Reason.TLS_CLEARTEXT_REFUSED || r == Reason.HTTP_RULE_DENIED
                    || r == Reason.HTTP_METHOD_DENIED;
            assertThat(r.isPolicyDenial()).as(r.code()).isEqualTo(expected);
            assertThat(r.isPolicyDenial() && r.isAllowing()).isFalse();
        }
    }
}
