package dev.egressguard.it;

import static dev.egressguard.it.ChildProcess.JAVA;
import static dev.egressguard.it.ChildProcess.TEST_CLASSES;
import static dev.egressguard.it.ChildProcess.egressguard;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code egressguard run -- CMD} as a real process, with curl, a child JVM and shell commands as CMD. */
@Tag("real-client")
class RunCommandIT {
    @RegisterExtension
    static final RoutedOrigin routed = new RoutedOrigin();

    private Map<String, String> env(Path home) throws Exception {
        routed.routedHome(home);
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("NO_PROXY", "localhost,127.0.0.1");
        env.put("no_proxy", "*");
        env.put("ALL_PROXY", "socks5h://127.0.0.1:1"); // some other way out: run removes it
        return env;
    }

    private static List<String> run(String... cmd) {
        List<String> args = new ArrayList<>(List.of("run", "--"));
        args.addAll(List.of(cmd));
        return egressguard(args.toArray(String[]::new));
    }

    @Test
    void curlGoesThroughTheProxyDespiteNoProxy(@TempDir Path home) throws Exception {
        ChildProcess.Result r = ChildProcess.run(run("curl", "-s", "--max-time", "10", "http://localhost:" + routed.origin().port() + "/echo"), env(home),
                null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("GET /echo body=0\n");
        assertThat(routed.proxy().awaitDecision("localhost", routed.origin().port()).verdict()).isEqualTo("allow");

        ChildProcess.Result denied = ChildProcess.run(run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "http://127.0.0.1:9/"),
                env(home), null, Duration.ofSeconds(60));
        assertThat(denied.out()).isEqualTo("403");
    }

    @Test
    void aChildJvmRoutesThroughTheAgentInJavaToolOptions(@TempDir Path home) throws Exception {
        ChildProcess.Result r = ChildProcess.run(run(JAVA, "-cp", TEST_CLASSES.toString(), "dev.egressguard.it.programs.FetchUrl",
                "http://localhost:" + routed.origin().port() + "/echo"), env(home), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("200 GET /echo body=0");
        assertThat(routed.proxy().awaitDecision("localhost", routed.origin().port()).verdict()).isEqualTo("allow");
    }

    @Test
    void theEnvironmentTheChildSees(@TempDir Path home) throws Exception {
        ChildProcess.Result r = ChildProcess.run(run("sh", "-c", "env"), env(home), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        for (String v : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "GLOBAL_AGENT_HTTP_PROXY", "GLOBAL_AGENT_HTTPS_PROXY",
                "WS_PROXY", "WSS_PROXY", "OPENCLAW_PROXY_URL")) {
            assertThat(r.out()).contains(v + "=" + routed.proxy().url());
        }
        assertThat(r.out()).doesNotContain("NO_PROXY=").doesNotContain("no_proxy=").contains("JAVA_TOOL_OPTIONS=-javaagent:")
                .contains("NODE_USE_ENV_PROXY=1\n").contains("EGRESSGUARD_PROXY_ENABLED=true\n").doesNotContain("ALL_PROXY=");
    }

    @Test
    void exitStatusAndStandardStreamsPassThrough(@TempDir Path home) throws Exception {
        ChildProcess.assertStreamsAndStatusPassThrough(run(ChildProcess.CAT_OOPS_EXIT_7), env(home));
    }

    @Test
    void termReachesTheChildAndItsStatusComesBack(@TempDir Path home) throws Exception {
        Path ready = home.resolve("ready");
        assertThat(ChildProcess.terminateOnceReady(run("sh", "-c", ChildProcess.trapTermLoop(ready)), env(home), ready, Duration.ofSeconds(30)))
                .isEqualTo(42);
    }

    @Test
    void brokenOrDisabledRoutingNeverStartsTheCommand(@TempDir Path home) throws Exception {
        Path marker = home.resolve("started");
        Map<String, String> env = env(home);
        Files.writeString(home.resolve(".openclaw/config.yaml"), "proxy:\n  enabled: true\n  proxyUrl: https://127.0.0.1:3128\n");
        ChildProcess.Result invalid = ChildProcess.run(run("touch", marker.toString()), env, null, Duration.ofSeconds(60));
        assertThat(invalid.exit()).isEqualTo(78);
        assertThat(invalid.err()).contains("proxy: enabled but proxy URL is invalid");
        Files.writeString(home.resolve(".openclaw/config.yaml"), "proxy:\n  enabled: false\n");
        ChildProcess.Result off = ChildProcess.run(run("touch", marker.toString()), env, null, Duration.ofSeconds(60));
        assertThat(off.exit()).isEqualTo(78);
        assertThat(off.err()).contains("proxy routing is not enabled");
        assertThat(Files.exists(marker)).isFalse();
        List<String> ifEnabled = egressguard("run", "--if-enabled", "--", "touch", marker.toString());
        assertThat(ChildProcess.run(ifEnabled, env, null, Duration.ofSeconds(60)).exit()).isZero();
        assertThat(Files.exists(marker)).as("--if-enabled runs it unrouted when routing is off").isTrue();
    }

    @Test
    void containerTargetsRefuseALoopbackProxyUnlessOverridden(@TempDir Path home) throws Exception {
        Path runtime = home.resolve("fake-container-runtime");
        // stands in for `docker`: prints the argv it was given and the proxy variable it would pass in
        Files.writeString(runtime, "#!/bin/sh\necho \"argv: $*\"\necho \"OPENCLAW_PROXY_URL=$OPENCLAW_PROXY_URL\"\n");
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = env(home);
        env.put("EGRESSGUARD_CONTAINER_RUNTIME", runtime.toString());
        List<String> cmd = egressguard("run", "--container", "agent-box", "--", "app", "--serve");
        ChildProcess.Result refused = ChildProcess.run(cmd, env, null, Duration.ofSeconds(60));
        assertThat(refused.exit()).isEqualTo(78);
        assertThat(refused.err()).contains("is loopback; 127.0.0.1 inside a container points at the container, not the host.");
        assertThat(refused.out()).doesNotContain("argv:");

        env.put("OPENCLAW_CONTAINER_ALLOW_LOOPBACK_PROXY_URL", "1");
        ChildProcess.Result ok = ChildProcess.run(cmd, env, null, Duration.ofSeconds(60));
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("argv: exec -i -e HTTP_PROXY")
                .contains("-e OPENCLAW_PROXY_URL -e NODE_USE_ENV_PROXY -e no_proxy= -e NO_PROXY= -e GLOBAL_AGENT_NO_PROXY= agent-box app --serve")
                .contains("OPENCLAW_PROXY_URL=" + routed.proxy().url());
    }
}
