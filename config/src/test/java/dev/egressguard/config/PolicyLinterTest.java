package dev.egressguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PolicyLinterTest {
    private static List<String> lint(String yaml) {
        return PolicyLinter.lint(PolicyFileLoader.parse(yaml, "t.yaml")).stream().map(LintWarning::toString).collect(Collectors.toList());
    }

    @Test
    void theDefaultPolicyIsClean() {
        assertThat(PolicyLinter.lint(PolicyFileLoader.embeddedDefault())).isEmpty();
    }

    @Test
    void hostRulesWarnAboutTrustingDns() {
        assertThat(lint("allow:\n  - host: ollama.lan\n    ports: [11434]\n    reason: model\n"))
                .singleElement().asString().startsWith("allow[0]: host rule ollama.lan opens private space")
                .contains("avoid hostname allowlists");
        assertThat(lint("allow:\n  - host: localhost\n    ports: [8080]\n    reason: dev\n"))
                .singleElement().asString().contains("opens private and loopback space");
    }

    @Test
    void broadRulesAndRulesWithoutPortsWarn() {
        List<String> w = lint("allow:\n  - cidr: 10.0.0.0/8\n    reason: everything internal\n");
        assertThat(w).anyMatch(s -> s.startsWith("allow[0]: 10.0.0.0/8 is broad") && s.contains("ip.private"));
        assertThat(w).anyMatch(s -> s.equals("allow[0]: opens every port; list the ports the service uses"));
    }

    @Test
    void metadataRulesWarnWhetherTheyOpenItOrNot() {
        assertThat(lint("allow:\n  - cidr: 169.254.0.0/16\n    ports: [80]\n    reason: link-local devices\n"))
                .anyMatch(s -> s.contains("covers the metadata address 169.254.169.254 but does not open it"));
        assertThat(lint("allow:\n  - cidr: 169.254.169.254/32\n    ports: [80]\n    reason: imds for the agent\n"))
                .anyMatch(s -> s.contains("opens the cloud metadata service 169.254.169.254"));
    }

    @Test
    void rulesThatDoNothingOrAreShadowedWarn() {
        List<String> w = lint("allow:\n"
                + "  - cidr: 10.1.0.0/24\n    ports: [80, 443]\n    reason: a\n"
                + "  - cidr: 10.1.0.7/32\n    ports: [443]\n    reason: b\n"
                + "  - cidr: 8.8.8.0/24\n    ports: [53]\n    reason: c\n");
        assertThat(w).contains("allow[1]: shadowed by allow[0]: every destination it opens, allow[0] already opens");
        assertThat(w).contains("allow[2]: 8.8.8.0/24 is not denied by anything: the rule has no effect");
        assertThat(w).noneMatch(s -> s.startsWith("allow[0]"));
    }

    @Test
    void portsOutsideThePolicyPortsWarn() {
        assertThat(lint("ports: [443]\nallow:\n  - cidr: 127.0.0.1/32\n    ports: [11434]\n    reason: model\n"))
                .containsExactly("allow[0]: ports [11434] reach outside the policy's ports [443]; those are denied before any allow rule applies");
    }

    @Test
    void weakSettingsWarn() {
        List<String> w = lint("mode: report\nlisten: 0.0.0.0:3128\nclients:\n  allow: [0.0.0.0/0]\n"
                + "deny:\n  ranges: [10.9.0.0/16]\n  hostnames: [foo.localhost]\n");
        assertThat(w).containsExactly(
                "mode: report: nothing is blocked; denials are only logged as would_deny",
                "listen: 0.0.0.0 is not loopback: the proxy is reachable from the network; keep clients.allow to the runtimes that need it",
                "clients.allow[0]: 0.0.0.0/0 lets any source use the proxy",
                "deny.ranges[0]: 10.9.0.0/16 is already denied by the built-in default:10.0.0.0/8",
                "deny.hostnames[0]: foo.localhost is already blocked by the built-in name rule *.localhost");
    }
}
