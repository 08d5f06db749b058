package dev.egressguard.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layers of one decision before DNS ({@link Policy#checkHost(String, int, DestinationPolicy, String)}):
 * the built-in denylist and host rules first — their refusal stands, whatever the identity's rules
 * say — then the identity's destinations, then (for names) the answers.
 */
class PolicyLayersTest {
    private static List<DestinationPattern> patterns(String... p) {
        return Stream.of(p).map(DestinationPattern::parse).toList();
    }

    static final DestinationPolicy DESTINATIONS = DestinationPolicy.of(
            Identities.of(List.of(new Identity("coder", List.of("alice"), List.of()), new Identity("ci", List.of(), List.of(IpRange.parse("10.20.0.0/16"))))),
            List.of(DestinationRules.of("coder", DestinationAction.DENY, patterns("gist.githubusercontent.com"),
                            patterns("api.openai.com:443", "*.githubusercontent.com", "127.0.0.1", "203.0.113.0/24"), patterns("*.github.com"),
                            "coder may reach the model API only"),
                    DestinationRules.of("default", DestinationAction.ALLOW, patterns(), patterns(), patterns(), null)));
    static final Policy ENFORCE = Policy.builder().build();
    static final Policy REPORT = Policy.builder().mode(EnforcementMode.REPORT).build();

    static Stream<Arguments> table() {
        return Stream.of(
                // identity, host, port, expected kind, verdict, reason
                Arguments.of("coder", "api.openai.com", 443, "pending", null, null),
                Arguments.of("coder", "api.openai.com", 80, "decided", "deny", "dest.not_allowed"),
                Arguments.of("coder", "raw.githubusercontent.com", 443, "pending", null, null),
                Arguments.of("coder", "githubusercontent.com", 443, "decided", "deny", "dest.not_allowed"),
                Arguments.of("coder", "gist.githubusercontent.com", 443, "decided", "deny", "dest.denied"),
                Arguments.of("coder", "api.github.com", 443, "ask", null, null),
                Arguments.of("coder", "example.com", 443, "decided", "deny", "dest.not_allowed"),
                Arguments.of("coder", "127.0.0.1", 443, "decided", "deny", "ip.loopback"), // allowed by a pattern; the denylist wins
                Arguments.of("coder", "169.254.169.254", 80, "decided", "deny", "ip.metadata"),
                Arguments.of("coder", "metadata.google.internal", 80, "decided", "deny", "host.blocked_name"),
                Arguments.of("coder", "203.0.113.9", 443, "decided", "deny", "ip.documentation"),
                Arguments.of("coder", "API.OpenAI.com.", 443, "pending", null, null),
                Arguments.of("default", "example.com", 443, "pending", null, null),
                Arguments.of("default", "127.0.0.1", 443, "decided", "deny", "ip.loopback"),
                Arguments.of("nobody-in-particular", "example.com", 443, "pending", null, null));
    }

    @ParameterizedTest(name = "{0} {1}:{2} -> {3} {4} {5}")
    @MethodSource("table")
    void layersInOrder(String identity, String host, int port, String kind, String verdict, String reason) {
        HostCheck c = ENFORCE.checkHost(host, port, DESTINATIONS, identity);
        switch (kind) {
            case "pending":
                assertThat(c).isInstanceOf(HostCheck.Pending.class);
                assertThat(((HostCheck.Pending) c).reported()).isNull();
                break;
            case "ask":
                assertThat(c).isInstanceOf(HostCheck.Ask.class);
                assertThat(((HostCheck.Ask) c).asking().rule()).contains("destinations.coder.ask[0]:*.github.com");
                assertThat(((HostCheck.Ask) c).then()).isInstanceOf(HostCheck.Pending.class);
                break;
            default:
                assertThat(c).isInstanceOf(HostCheck.Decided.class);
                Decision d = ((HostCheck.Decided) c).decision();
                assertThat(d.verdict().code()).isEqualTo(verdict);
                assertThat(d.reason().code()).isEqualTo(reason);
        }
    }

    @Test
    void aDestinationDenialCarriesTheIdentitysMessage() {
        Decision d = ((HostCheck.Decided) ENFORCE.checkHost("example.com", 443, DESTINATIONS, "coder")).decision();
        assertThat(d.message()).contains("coder may reach the model API only");
        assertThat(d.rule()).contains("destinations.coder.default:deny");
    }

    @Test
    void anAllowedLiteralStillPassesTheIdentitysRules() {
        Policy opened = Policy.builder().allow(AllowRule.cidr(IpRange.parse("127.0.0.1/32"), PortSet.ANY, "model server")).build();
        assertThat(((HostCheck.Decided) opened.checkHost("127.0.0.1", 443, DESTINATIONS, "coder")).decision().isAllowed())
                .as("opened by a cidr rule and named by the identity's allow list").isTrue();
        assertThat(((HostCheck.Decided) opened.checkHost("127.0.0.2", 443, DESTINATIONS, "coder")).decision().reason())
                .as("opened by nothing for 127.0.0.2").isEqualTo(Reason.IP_LOOPBACK);
    }

    @Test
    void reportModeRecordsDestinationDenialsAndAsksAsWouldDenyAndLetsThemThrough() {
        HostCheck denied = REPORT.checkHost("example.com", 443, DESTINATIONS, "coder");
        assertThat(denied).isInstanceOf(HostCheck.Pending.class);
        Decision after = REPORT.decide((HostCheck.Pending) denied, List.of(IpLiterals.parse("93.184.216.34")));
        assertThat(after.verdict()).isEqualTo(Verdict.WOULD_DENY);
        assertThat(after.reason()).isEqualTo(Reason.DEST_NOT_ALLOWED);
        HostCheck asked = REPORT.checkHost("api.github.com", 443, DESTINATIONS, "coder");
        assertThat(asked).as("nobody is asked in report mode").isInstanceOf(HostCheck.Pending.class);
        assertThat(((HostCheck.Pending) asked).reported().reason()).isEqualTo(Reason.APPROVAL_REQUIRED);
        assertThat(((HostCheck.Pending) asked).reported().verdict()).isEqualTo(Verdict.WOULD_DENY);
    }

    @Test
    void noDestinationsBlockMeansTheHostRulesAlone() {
        assertThat(ENFORCE.checkHost("example.com", 443, DestinationPolicy.none(), "coder")).usingRecursiveComparison()
                .isEqualTo(ENFORCE.checkHost("example.com", 443));
    }
}
