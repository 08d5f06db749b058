package dev.egressguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DestinationsLintTest {
    private static final String IDENTITIES = "identities:\n  - name: coder\n    clients: [10.1.0.0/16]\n  - name: ci\n    clients: [10.2.0.0/16]\n";

    private static List<String> lint(String yaml) {
        return PolicyLinter.lint(PolicyFileLoader.parse(yaml, "t.yaml")).stream().map(LintWarning::toString).collect(Collectors.toList());
    }

    @Test
    void aCleanFileWithEveryEntryHasNoWarnings() {
        assertThat(lint(IDENTITIES + "destinations:\n  default:\n    default: deny\n"
                + "  coder:\n    default: deny\n    allow: [api.openai.com:443, \"*.githubusercontent.com\"]\n    deny: [gist.githubusercontent.com]\n"
                + "    ask: [\"*.github.com\"]\n"
                + "  ci:\n    default: allow\n    deny: [\"*.pastebin.example\"]\n"
                + "approvals:\n  url: http://127.0.0.1:8700/decide\n")).isEmpty();
    }

    @Test
    void allowAndAskPatternsShadowedByEarlierPatternsWarn() {
        List<String> w = lint("destinations:\n  default:\n    default: deny\n"
                + "    deny: [\"*.github.com\", \"example.com\"]\n"
                + "    allow: [api.github.com, \"example.com:443\", pypi.org, \"*.pypi.org\"]\n"
                + "    ask: [files.pypi.org, other.example]\n"
                + "approvals:\n  url: http://127.0.0.1:8700/decide\n");
        assertThat(w).containsExactly(
                "destinations.default.allow[0]: shadowed by deny[0] (*.github.com): every destination it names is decided there first",
                "destinations.default.allow[1]: shadowed by deny[1] (example.com): every destination it names is decided there first",
                "destinations.default.ask[0]: shadowed by allow[3] (*.pypi.org): every destination it names is decided there first");
    }

    @Test
    void broadPatternsWarn() {
        List<String> w = lint("destinations:\n  default:\n    default: deny\n"
                + "    allow: [\"*\", \"*.com\", 0.0.0.0/0, \"2001::/16\", 8.8.0.0/16, \"*.co.example\"]\n    deny: [\"*:25\"]\n");
        assertThat(w).containsExactly(
                "destinations.default.allow[0]: * names every destination; write the entry's default instead, or name the hosts you mean",
                "destinations.default.allow[1]: *.com names every host under a whole top-level domain",
                "destinations.default.allow[2]: 0.0.0.0/0 is broad (wider than /16)",
                "destinations.default.allow[3]: 2001::/16 is broad (wider than /32)");
    }

    @Test
    void patternsInDeniedSpaceWarnThatTheyOpenNothing() {
        List<String> w = lint("deny:\n  ranges: [8.8.8.0/24]\n  hostnames: [\"*.corp.example\"]\n"
                + "destinations:\n  default:\n    default: deny\n"
                + "    allow: [\"127.0.0.1:11434\", 10.1.0.0/16, \"*.internal\", metadata.google.internal, 8.8.8.8, a.corp.example, 8.8.0.0/16]\n");
        String tail = "; a destination rule never opens what the denylist denies (an allow rule with a cidr does)";
        assertThat(w).containsExactly(
                "destinations.default.allow[0]: 127.0.0.1:11434 is in denied space (ip.loopback, 127.0.0.0/8)" + tail,
                "destinations.default.allow[1]: 10.1.0.0/16 is in denied space (ip.private, 10.0.0.0/8)" + tail,
                "destinations.default.allow[2]: *.internal names every host under a whole top-level domain",
                "destinations.default.allow[2]: *.internal is blocked by the built-in name rule *.internal" + tail,
                "destinations.default.allow[3]: metadata.google.internal is blocked by the built-in name rule metadata.google.internal" + tail,
                "destinations.default.allow[4]: 8.8.8.8 is in deny.ranges (8.8.8.0/24)" + tail,
                "destinations.default.allow[5]: a.corp.example is blocked by deny.hostnames (*.corp.example)" + tail);
    }

    @Test
    void aPatternAnAllowRuleOpensIsNotDeniedSpace() {
        List<String> w = lint("allow:\n  - cidr: 127.0.0.1/32\n    ports: [11434]\n    reason: model server\n"
                + "  - host: ollama.internal\n    ports: [11434]\n    reason: model server by name\n"
                + "destinations:\n  default:\n    default: deny\n    allow: [\"127.0.0.1:11434\", ollama.internal, \"10.0.0.1\"]\n");
        assertThat(w).filteredOn(x -> x.startsWith("destinations.")).containsExactly(
                "destinations.default.allow[2]: 10.0.0.1 is in denied space (ip.private, 10.0.0.0/8)"
                + "; a destination rule never opens what the denylist denies (an allow rule with a cidr does)");
    }

    @Test
    void identitiesWithoutAnEntryAndEntriesWithoutDefaultWarn() {
        assertThat(lint(IDENTITIES + "destinations:\n  coder:\n    default: deny\n")).containsExactly(
                "identities[1]: ci has no destinations entry; with no default entry either, it reaches every destination the denylist allows",
                "destinations: no default entry: connections no identity matches reach every destination the denylist allows");
        assertThat(lint(IDENTITIES + "destinations:\n  default:\n    default: deny\n  coder:\n    default: deny\n"))
                .containsExactly("identities[1]: ci has no destinations entry; it gets destinations.default");
        assertThat(lint(IDENTITIES)).containsExactly(
                "identities[0]: coder has no destinations entry; with no default entry either, it reaches every destination the denylist allows",
                "identities[1]: ci has no destinations entry; with no default entry either, it reaches every destination the denylist allows");
    }

    @Test
    void anApproverNothingAsksAndAllowsUnderAnAllowDefaultWarn() {
        assertThat(lint("destinations:\n  default:\n    default: allow\n    allow: [a.example]\napprovals:\n  url: http://127.0.0.1:1/\n"))
                .containsExactly("destinations.default.allow: the default is allow and nothing asks: the allow patterns change nothing",
                        "approvals: nothing asks (no ask pattern or default): the approver is never called");
    }

    @Test
    void anAskWithoutAnApproverIsAnErrorNotAWarning() {
        assertThatThrownBy(() -> PolicyFileLoader.parse("destinations:\n  default:\n    default: deny\n    ask: [\"*.github.com\"]\n", "t.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml:4: destinations.default.ask: (expected: approvals.url to be set: ask consults the operator's approver"
                        + " (or use allow or deny))");
    }
}
