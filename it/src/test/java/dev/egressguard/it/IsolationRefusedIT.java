package dev.egressguard.it;

import static dev.egressguard.it.ChildProcess.CLI_JAR;
import static dev.egressguard.it.ChildProcess.JAVA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --isolate} where the sandbox cannot be made: exit 78, a message that names what is
 * missing and how to get it, and the command never runs (it would have left a marker file).
 */
@Tag("real-client")
class IsolationRefusedIT {
    private static List<String> isolatedTouch(Path config, Path marker) {
        return new ArrayList<>(List.of(JAVA, "-jar", CLI_JAR.toString(), "run", "--config", config.toString(), "--isolate", "--",
                "touch", marker.toString()));
    }

    private static Path config(Path dir) throws Exception {
        return Files.writeString(dir.resolve("config.yaml"), "proxy:\n  enabled: true\n  proxyUrl: http://127.0.0.1:3128\n");
    }

    /** The documented seam: EGRESSGUARD_BWRAP names the bubblewrap binary; here one that does not exist. */
    @Test
    void withoutBubblewrapTheCommandIsRefused(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase().startsWith("linux"), "skipped: --isolate is for Linux");
        Path marker = dir.resolve("started");
        ChildProcess.Result r = ChildProcess.run(isolatedTouch(config(dir), marker), Map.of("EGRESSGUARD_BWRAP", "/nonexistent/bwrap"), null,
                Duration.ofSeconds(60));
        assertThat(r.exit()).isEqualTo(78);
        assertThat(r.err()).contains("egressguard run --isolate: bubblewrap is missing: EGRESSGUARD_BWRAP=/nonexistent/bwrap is not an executable file")
                .contains("apt-get install bubblewrap").contains("the command was not started.");
        assertThat(Files.exists(marker)).isFalse();
    }

    /**
     * A kernel that refuses user namespaces, for real: egressguard runs as uid 1000 inside a bwrap
     * sandbox made with {@code --disable-userns}, where creating a user namespace fails (ENOSPC).
     */
    @Test
    void whereTheKernelRefusesUserNamespacesTheCommandIsRefused(@TempDir Path dir) throws Exception {
        Optional<Path> bwrap = Namespaces.bwrap();
        assumeTrue(bwrap.isPresent(), "skipped: bubblewrap (bwrap) is not installed; .ci/run installs it");
        List<String> outer = List.of(bwrap.get().toString(), "--unshare-user", "--disable-userns", "--uid", "1000", "--gid", "1000",
                "--dev-bind", "/", "/", "--");
        Process probe = new ProcessBuilder(concat(outer, List.of("sh", "-c", "exec bwrap --unshare-net --dev-bind / / -- true")))
                .redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(30, TimeUnit.SECONDS), "skipped: the probe sandbox did not finish");
        String said = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(probe.exitValue() != 0 && said.contains("namespace"),
                "skipped: cannot make a sandbox that refuses user namespaces here (" + probe.exitValue() + ": " + said.strip() + ")");

        Path marker = dir.resolve("started");
        ChildProcess.Result r = ChildProcess.run(concat(outer, isolatedTouch(config(dir), marker)), Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isEqualTo(78);
        assertThat(r.err()).contains("egressguard run --isolate: cannot create a network namespace here (")
                .contains("Creating new namespace failed").contains("sysctl -w").contains("the command was not started.");
        assertThat(Files.exists(marker)).isFalse();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
