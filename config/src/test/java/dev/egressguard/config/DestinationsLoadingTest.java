package dev.egressguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.DestinationAction;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.policy.DestinationRules;
import dev.egressguard.core.policy.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** identities, destinations and approvals: loaded into records, rendered, and loaded back. */
class DestinationsLoadingTest {
    private static PolicyFile fixture() throws URISyntaxException {
        return PolicyFileLoader.load(Path.of(DestinationsLoadingTest.class.getResource("/config/valid/destinations.yaml").toURI()));
    }

    @Test
    void everyKeyLoads() throws URISyntaxException {
        PolicyFile f = fixture();
        DestinationPolicy d = f.destinations();
        assertThat(d.identities().all()).extracting(i -> i.name()).containsExactly("coder", "ci", "bob-ci");
        assertThat(d.identities().named("ci").orElseThrow().clients())
                .containsExactly(IpRange.parse("10.20.0.0/16"), IpRange.parse("2001:db8::/32"));
        assertThat(d.identify(Optional.of("alice"), IpLiterals.parse("127.0.0.1"))).isEqualTo("coder");
        assertThat(d.identify(Optional.of("bob"), IpLiterals.parse("10.20.0.9"))).isEqualTo("ci");
        assertThat(d.identify(Optional.of("bob"), IpLiterals.parse("127.0.0.1"))).isEqualTo("default");
        assertThat(d.entries().keySet()).containsExactly("default", "coder", "ci", "bob-ci");
        DestinationRules coder = d.entries().get("coder");
        assertThat(coder.defaultAction()).isEqualTo(DestinationAction.DENY);
        assertThat(coder.allow()).extracting(Object::toString).containsExactly("api.openai.com:443", "*.githubusercontent.com", "pypi.org");
        assertThat(coder.message()).contains("coder may reach the model API and package mirrors only");
        assertThat(d.decide("coder", "gist.githubusercontent.com", 443).reason()).contains(Reason.DEST_DENIED);
        assertThat(d.decide("coder", "pypi.org.", 443).rule()).contains("destinations.coder.allow[2]:pypi.org");
        assertThat(d.decide("ci", "[2001:db8::1]", 443).isAllowed()).isTrue();
        assertThat(d.decide("ci", "198.51.100.9", 8000).isAllowed()).isTrue();
        assertThat(d.decide("ci", "198.51.100.9", 443).needsApproval()).isTrue();
        assertThat(d.decide("default", "a.pastebin.example", 443).reason()).contains(Reason.DEST_DENIED);
        ApprovalSettings a = f.approvals().orElseThrow();
        assertThat(a.url()).isEqualTo(URI.create("http://127.0.0.1:8700/decide"));
        assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(a.cacheFor()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void withoutTheSectionsNothingChanges() {
        PolicyFile embedded = PolicyFileLoader.embeddedDefault();
        assertThat(embedded.destinations().isEmpty()).isTrue();
        assertThat(embedded.destinations().identities().isEmpty()).isTrue();
        assertThat(embedded.approvals()).isEmpty();
        assertThat(embedded.destinations().decide("default", "anything.example", 443).isAllowed()).isTrue();
    }

    @Test
    void approvalsDefaultToFiveSecondsAndTenMinutes() {
        PolicyFile f = PolicyFileLoader.parse("approvals:\n  url: http://[::1]:8700/\n", "t.yaml");
        assertThat(f.approvals().orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(f.approvals().orElseThrow().cacheFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(f.approvals().orElseThrow().url().getHost()).isEqualTo("[::1]");
    }

    @Test
    void theApproverUrlIsPlainHttpWithoutCredentials() {
        for (String bad : List.of("https://a.example/", "http://user:pw@127.0.0.1:8700/", "http://127.0.0.1:8700/#x", "http://127.0.0.1:8700/?token=s3cret", "ftp://a.example/",
                "http:///path", "127.0.0.1:8700", "http://127.0.0.1:70000/", "mailto:x@y.example", "http://a b/")) {
            assertThatThrownBy(() -> PolicyFileLoader.parse("approvals:\n  url: \"" + bad + "\"\n", "t.yaml")).as(bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("t.yaml:2: approvals.url: \"" + bad + "\" (expected: an http:// URL");
        }
        for (String good : List.of("http://127.0.0.1:8700/decide", "HTTP://approver.internal/decide", "http://[::1]/")) {
            assertThat(PolicyFileLoader.parse("approvals:\n  url: \"" + good + "\"\n", "t.yaml").approvals()).as(good).isPresent();
        }
    }

    @Test
    void anIdentityCanOnlyNameDeclaredUsers() {
        assertThatThrownBy(() -> PolicyFileLoader.parse("identities:\n  - name: coder\n    users: [alice]\n", "t.yaml"))
                .hasMessage("t.yaml:3: identities[0].users[0]: \"alice\" (expected: a user of auth.users, which has none)");
    }

    @Test
    void theEffectivePolicyRendersTheSectionsAndLoadsBack() throws URISyntaxException {
        PolicyFile first = fixture();
        String rendered = EffectivePolicyYaml.render(first);
        assertThat(rendered).contains("identities:\n  - name: coder\n    users: [alice]\n")
                .contains("  - name: bob-ci\n    users: [bob]\n    clients: [10.20.0.0/16]\n")
                .contains("  coder:\n    default: deny\n    deny: [gist.githubusercontent.com]\n"
                        + "    allow: [api.openai.com:443, \"*.githubusercontent.com\", pypi.org]\n    ask: [\"*.github.com\"]\n"
                        + "    message: \"coder may reach the model API and package mirrors only\"\n")
                .contains("    allow: [\"[2001:db8::1]:443\", 198.51.100.0/24:8000-8999]\n")
                .contains("approvals:\n  url: http://127.0.0.1:8700/decide\n  timeout: 2s\n  cacheFor: 1h\n");
        // auth.users render names only (no secrets), so the reloaded file needs its users back
        PolicyFile second = PolicyFileLoader.parse(rendered.replaceFirst("(?s)auth:\n.*?deny:\n",
                java.util.regex.Matcher.quoteReplacement("auth:\n  users:\n" + userLines() + "deny:\n")), "rendered");
        assertThat(body(EffectivePolicyYaml.render(second))).isEqualTo(body(rendered));
        assertThat(second.destinations().entries().keySet()).isEqualTo(first.destinations().entries().keySet());
        assertThat(second.approvals()).isEqualTo(first.approvals());
        String none = EffectivePolicyYaml.render(PolicyFileLoader.embeddedDefault());
        assertThat(none).contains("identities: []\n").contains("destinations: {}   # none: every destination the denylist allows\n")
                .contains("# approvals: none (needed for ask)\n");
    }

    private static String userLines() {
        String h = "pbkdf2-sha256$10000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        return "    - name: alice\n      passwordHash: \"" + h + "\"\n    - name: bob\n      passwordHash: \"" + h + "\"\n";
    }

    /** The rendering without its source line and without the users' secret sources. */
    private static String body(String yaml) {
        return yaml.substring(yaml.indexOf('\n') + 1).replaceAll("   # secret: .*", "");
    }
}
