package dev.egressguard.cli.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProbeVerdictsTest {
    private static final Probe CANARY = new Probe("t/127.0.0.1/get", ProbeGroup.LOOPBACK_V4, "127.0.0.1", "first", ProbeMethod.GET,
            Landing.CANARY, 0, Optional.empty(), "/", 1);
    private static final Probe REMOTE = new Probe("t/169.254.169.254/connect", ProbeGroup.METADATA, "169.254.169.254", "metadata",
            ProbeMethod.CONNECT, Landing.REMOTE, 443, Optional.empty(), "/", 1);
    private static final Probe PUBLIC = new Probe("public/example.com/connect", ProbeGroup.PUBLIC, "example.com", "https URL",
            ProbeMethod.CONNECT, Landing.PUBLIC, 443, Optional.empty(), "/", 1);

    private static ProxyAnswer answer(int status, String proxyStatus, boolean established) {
        return new ProxyAnswer(status, Optional.ofNullable(proxyStatus), Optional.empty(), established, Optional.empty(), Optional.empty(), true);
    }

    private static final ProxyAnswer OK = answer(200, null, false);
    private static final ProxyAnswer TUNNEL = answer(200, null, true);
    private static final ProxyAnswer DENIED = answer(403, "egressguard; error=destination_ip_prohibited; details=\"ip.loopback\"", false);
    private static final ProxyAnswer DENIED_BY_STATUS_ONLY = answer(502, "squid; error=http_request_denied", false);
    private static final ProxyAnswer BAD_GATEWAY = answer(502, "egressguard; error=connection_refused", false);
    private static final ProxyAnswer TIMEOUT = ProxyAnswer.failed("no answer within 5000 ms");

    private static CanaryEvidence hit(boolean token) {
        return new CanaryEvidence(1, token, Optional.of("127.0.0.1:4000"), List.of("127.0.0.1:4000", "[::1]:4000"), true);
    }

    private static final CanaryEvidence UNTOUCHED = new CanaryEvidence(0, false, Optional.empty(), List.of("127.0.0.1:4000"), true);
    private static final CanaryEvidence UNCOVERED = new CanaryEvidence(0, false, Optional.empty(), List.of("127.0.0.1:4000"), false);

    static List<Arguments> cases() {
        return List.of(
                // a canary connection is a leak whatever the proxy said, even a denial, even rewritten
                Arguments.of(CANARY, OK, hit(true), ProbeVerdict.LEAK, "received the run token"),
                Arguments.of(CANARY, DENIED, hit(false), ProbeVerdict.LEAK, "without the token"),
                Arguments.of(CANARY, TIMEOUT, hit(true), ProbeVerdict.LEAK, "127.0.0.1:4000"),
                Arguments.of(CANARY, DENIED, UNTOUCHED, ProbeVerdict.BLOCKED, "refused by the proxy"),
                Arguments.of(CANARY, BAD_GATEWAY, UNTOUCHED, ProbeVerdict.BLOCKED, "not reached"),
                Arguments.of(CANARY, TIMEOUT, UNTOUCHED, ProbeVerdict.BLOCKED, "no answer within"),
                // success with no canary connection: something else answered; prove nothing
                Arguments.of(CANARY, OK, UNTOUCHED, ProbeVerdict.NOT_PROVEN, "no canary saw"),
                Arguments.of(CANARY, BAD_GATEWAY, UNCOVERED, ProbeVerdict.NOT_PROVEN, "could not listen"),
                Arguments.of(REMOTE, TUNNEL, UNTOUCHED, ProbeVerdict.LEAK, "opened a tunnel"),
                Arguments.of(REMOTE, answer(302, null, false), UNTOUCHED, ProbeVerdict.LEAK, "fetched"),
                Arguments.of(REMOTE, DENIED, UNTOUCHED, ProbeVerdict.BLOCKED, "refused"),
                Arguments.of(REMOTE, DENIED_BY_STATUS_ONLY, UNTOUCHED, ProbeVerdict.BLOCKED, "refused"),
                Arguments.of(REMOTE, BAD_GATEWAY, UNTOUCHED, ProbeVerdict.NOT_PROVEN, "502"),
                Arguments.of(REMOTE, TIMEOUT, UNTOUCHED, ProbeVerdict.NOT_PROVEN, "no answer within"),
                Arguments.of(PUBLIC, TUNNEL, UNTOUCHED, ProbeVerdict.PASSED, "200"),
                Arguments.of(PUBLIC, DENIED, UNTOUCHED, ProbeVerdict.NOT_PROVEN, "refused a public destination"),
                Arguments.of(PUBLIC, BAD_GATEWAY, UNTOUCHED, ProbeVerdict.SKIPPED, "no route out"));
    }

    @ParameterizedTest(name = "{index}: {0} {1} -> {3}")
    @MethodSource("cases")
    void judges(Probe probe, ProxyAnswer answer, CanaryEvidence evidence, ProbeVerdict expected, String detail) {
        ProbeResult r = ProbeVerdicts.judge(probe, answer, Optional.of(evidence));
        assertThat(r.verdict()).isEqualTo(expected);
        assertThat(r.detail()).contains(detail);
    }
}
