package dev.egressguard.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.DestinationAction;
import dev.egressguard.core.policy.DestinationPattern;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.policy.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Requests inside an intercepted tunnel against a host's rules, and which tunnels are intercepted. */
class InterceptCheckTest {
    static final InterceptEntry GITHUB = new InterceptEntry("tls.intercept[0]", DestinationPattern.parse("api.github.com"), List.of(
            new RequestRule("tls.intercept[0].rules[0]", List.of("GET", "HEAD"), PathGlob.parse("/repos/my-org/**"), DestinationAction.ALLOW, Optional.empty()),
            new RequestRule("tls.intercept[0].rules[1]", List.of("POST"), PathGlob.parse("/gists"), DestinationAction.DENY, Optional.of("no gists")),
            new RequestRule("tls.intercept[0].rules[2]", List.of("POST"), PathGlob.parse("/repos/my-org/*/issues"), DestinationAction.ASK, Optional.empty())),
            Optional.of(Credential.of("Authorization", "Bearer {secret}", "env EG_GITHUB_TOKEN", "ghp_secret")));

    private static InterceptCheck.Verdict enforce(String method, String target) {
        return InterceptCheck.decide(GITHUB, method, target, EnforcementMode.ENFORCE);
    }

    @Test
    void theFirstRuleThatNamesMethodAndPathDecides() {
        InterceptCheck.Verdict get = enforce("GET", "/repos/my-org/tools?per_page=100");
        assertThat(get.decision()).isEqualTo(Decision.allow(Reason.HTTP_RULE_ALLOWED, "tls.intercept[0].rules[0]"));
        assertThat(get.path()).isEqualTo("/repos/my-org/tools");
        assertThat(enforce("POST", "/gists").decision()).isEqualTo(Decision.deny(Reason.HTTP_RULE_DENIED, "tls.intercept[0].rules[1]").withMessage("no gists"));
        assertThat(enforce("POST", "/Gists/").decision().reason()).isEqualTo(Reason.HTTP_RULE_DENIED);
        assertThat(enforce("PUT", "/repos/my-org/tools").decision()).isEqualTo(Decision.deny(Reason.HTTP_RULE_DENIED, "tls.intercept[0].rules:none"));
        assertThat(enforce("get", "/repos/my-org/tools").decision().reason()).as("methods are case-sensitive").isEqualTo(Reason.HTTP_RULE_DENIED);
    }

    @Test
    void anAskRuleNamesItselfAndSaysWhatFollowsAnApproval() {
        InterceptCheck.Verdict ask = enforce("POST", "/repos/my-org/tools/issues");
        assertThat(ask.asking().id()).isEqualTo("tls.intercept[0].rules[2]");
        assertThat(ask.decision().isAllowed()).isTrue();
    }

    @Test
    void traceConnectAndAmbiguousPathsAreRefusedBeforeAnyRule() {
        for (String m : List.of("TRACE", "trace", "CONNECT")) {
            assertThat(enforce(m, "/repos/my-org/x").decision()).isEqualTo(Decision.deny(Reason.HTTP_METHOD_DENIED, InterceptCheck.METHOD_RULE));
        }
        assertThat(enforce("GET", "/repos/my-org/../other/x").decision()).isEqualTo(Decision.deny(Reason.HTTP_PATH_INVALID, "path:dot-segment"));
        assertThat(enforce("GET", "/repos/my-org/a%2F..%2F..%2Fother").decision().reason()).isEqualTo(Reason.HTTP_PATH_INVALID);
    }

    @Test
    void reportModeRecordsRuleDenialsAndAsksNobodyButKeepsRefusingBrokenRequests() {
        InterceptCheck.Verdict post = InterceptCheck.decide(GITHUB, "POST", "/gists", EnforcementMode.REPORT);
        assertThat(post.decision().verdict()).isEqualTo(Verdict.WOULD_DENY);
        InterceptCheck.Verdict ask = InterceptCheck.decide(GITHUB, "POST", "/repos/my-org/x/issues", EnforcementMode.REPORT);
        assertThat(ask.asking()).isNull();
        assertThat(ask.decision().reason()).isEqualTo(Reason.APPROVAL_REQUIRED);
        assertThat(ask.decision().verdict()).isEqualTo(Verdict.WOULD_DENY);
        assertThat(InterceptCheck.decide(GITHUB, "TRACE", "/", EnforcementMode.REPORT).decision().isDenied()).isTrue();
        assertThat(InterceptCheck.decide(GITHUB, "GET", "//x", EnforcementMode.REPORT).decision().isDenied()).isTrue();
    }

    @Test
    void theCredentialNeverShowsItsSecret() {
        Credential c = GITHUB.credential().orElseThrow();
        assertThat(c.value()).isEqualTo("Bearer ghp_secret");
        assertThat(c.toString()).doesNotContain("ghp_secret").contains("Authorization").contains("env EG_GITHUB_TOKEN");
        assertThat(GITHUB.toString()).doesNotContain("ghp_secret");
    }

    @Test
    void identityEntriesComeFirstThenTheTlsBlockPassthroughBeforeIntercept() {
        InterceptEntry wild = new InterceptEntry("tls.intercept[0]", DestinationPattern.parse("*.example.com"), List.of(), Optional.empty());
        InterceptEntry own = new InterceptEntry("destinations.coder.intercept[0]", DestinationPattern.parse("pinned.example.com:443"), List.of(),
                Optional.empty());
        TunnelPolicy p = TunnelPolicy.of(new TlsRules(List.of(wild), List.of(new TlsRules.Passthrough("tls.passthrough[0]:pinned.example.com",
                DestinationPattern.parse("pinned.example.com")))), Map.of("coder", new TlsRules(List.of(own), List.of())), List.of("X-Goog-Api-Key"));
        assertThat(p.modeFor(Optional.empty(), "api.example.com", 443)).isEqualTo(new TunnelMode.Intercept(wild));
        assertThat(p.modeFor(Optional.empty(), "API.Example.COM.", 443)).isEqualTo(new TunnelMode.Intercept(wild));
        assertThat(p.modeFor(Optional.empty(), "pinned.example.com", 443)).isEqualTo(new TunnelMode.Passthrough("tls.passthrough[0]:pinned.example.com"));
        assertThat(p.modeFor(Optional.of("coder"), "pinned.example.com", 443)).isEqualTo(new TunnelMode.Intercept(own));
        assertThat(p.modeFor(Optional.of("coder"), "pinned.example.com", 8443)).isEqualTo(new TunnelMode.Passthrough("tls.passthrough[0]:pinned.example.com"));
        assertThat(p.modeFor(Optional.empty(), "example.com", 443)).isEqualTo(TunnelMode.NOT_INTERCEPTED);
        assertThat(p.modeFor(Optional.empty(), "93.184.216.34", 443)).isEqualTo(TunnelMode.NOT_INTERCEPTED);
        assertThat(TunnelPolicy.none().modeFor(Optional.empty(), "api.example.com", 443)).isEqualTo(TunnelMode.PLAIN);
        assertThat(p.strippedHeaders()).containsExactly("authorization", "proxy-authorization", "cookie", "x-api-key", "x-goog-api-key");
        assertThat(p.interceptEntries()).containsExactly(wild, own);
    }
}
