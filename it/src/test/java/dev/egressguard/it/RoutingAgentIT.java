package dev.egressguard.it;

import static dev.egressguard.it.ChildProcess.AGENT_JAR;
import static dev.egressguard.it.ChildProcess.JAVA;
import static dev.egressguard.it.ChildProcess.TEST_CLASSES;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code -javaagent:egressguard-agent.jar} on an unmodified program in a child JVM. */
@Tag("real-client")
class RoutingAgentIT {
    @RegisterExtension
    static final RoutedOrigin routed = new RoutedOrigin();

    private static List<String> program(String... urls) {
        List<String> cmd = new java.util.ArrayList<>(List.of(JAVA, "-javaagent:" + AGENT_JAR, "-cp", TEST_CLASSES.toString(),
                "dev.egressguard.it.programs.FetchUrl"));
        cmd.addAll(List.of(urls));
        return cmd;
    }

    @Test
    void theAgentRoutesAnUnmodifiedProgramFromTheRuntimeConfig(@TempDir Path home) throws Exception {
        routed.routedHome(home);
        String local = "http://localhost:" + routed.origin().port() + "/echo";
        String literal = "http://127.0.0.1:" + routed.origin().port() + "/echo";
        ChildProcess.Result r = ChildProcess.run(program(local, literal), Map.of("HOME", home.toString(), "NO_PROXY", "localhost,127.0.0.1"),
                null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("main ran").contains("200 GET /echo body=0");
        assertThat(routed.proxy().awaitDecision("localhost", routed.origin().port()).verdict()).isEqualTo("allow");
        assertThat(routed.proxy().awaitDecision("127.0.0.1", routed.origin().port()).verdict()).isEqualTo("allow");
    }

    @Test
    void theAgentTakesTheEnvironmentUrlWhenTheConfigHasNone(@TempDir Path home) throws Exception {
        ChildProcess.homeWithConfig(home, "proxy:\n  enabled: true\n");
        ChildProcess.Result r = ChildProcess.run(program("http://127.0.0.1:9/"), Map.of("HOME", home.toString(), "OPENCLAW_PROXY_URL", routed.proxy().url()),
                null, Duration.ofSeconds(60));
        assertThat(r.out()).as("the proxy denies the unopened loopback port; nothing went direct").contains("403 egressguard: denied by policy: ip.loopback");
        assertThat(routed.proxy().awaitDecision("127.0.0.1", 9).reason()).isEqualTo("ip.loopback");
    }

    @Test
    void enabledButInvalidStopsTheJvmBeforeMain(@TempDir Path home) throws Exception {
        ChildProcess.homeWithConfig(home, "proxy:\n  enabled: true\n  proxyUrl: socks5://127.0.0.1:1080\n");
        ChildProcess.Result r = ChildProcess.run(program("http://127.0.0.1:" + routed.origin().port() + "/echo"), Map.of("HOME", home.toString()),
                null, Duration.ofSeconds(60));
        assertThat(r.exit()).isEqualTo(78);
        assertThat(r.out()).doesNotContain("main ran");
        assertThat(r.err()).contains("proxy: enabled but proxy URL is invalid; set proxy.proxyUrl or OPENCLAW_PROXY_URL to an http:// forward proxy.");

        Files.writeString(home.resolve(".openclaw/config.yaml"), "proxy:\n  enabled: true\n");
        ChildProcess.Result missing = ChildProcess.run(program(), Map.of("HOME", home.toString()), null, Duration.ofSeconds(60));
        assertThat(missing.exit()).isEqualTo(78);
        assertThat(missing.out()).doesNotContain("main ran");
        assertThat(missing.err()).contains("proxy: enabled but no HTTP proxy URL is configured");
    }

    @Test
    void routingOffLeavesTheProgramAlone(@TempDir Path home) throws Exception {
        ChildProcess.Result r = ChildProcess.run(program("http://127.0.0.1:" + routed.origin().port() + "/echo"), Map.of("HOME", home.toString()),
                null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 GET /echo body=0");
    }

    @Test
    void credentialsInTheUrlAreNeverPrinted(@TempDir Path home) throws Exception {
        ChildProcess.homeWithConfig(home, "proxy:\n  enabled: true\n  proxyUrl: https://agent:s3cr3t@127.0.0.1:3128\n");
        ChildProcess.Result r = ChildProcess.run(program(), Map.of("HOME", home.toString()), null, Duration.ofSeconds(60));
        assertThat(r.exit()).isEqualTo(78);
        assertThat(r.out() + r.err()).doesNotContain("s3cr3t").doesNotContain("agent:");
    }
}
