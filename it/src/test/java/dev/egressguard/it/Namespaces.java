package dev.egressguard.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether this machine can make the sandbox of {@code run --isolate}. Tests that need one skip,
 * with bwrap's own words as the reason, only where it cannot: not Linux, no bubblewrap (.ci/run
 * installs it), or namespaces forbidden to this user.
 */
final class Namespaces {
    private static volatile String unavailable;

    private Namespaces() {}

    static void assumeAvailable() {
        String why = unavailable;
        if (why == null) {
            why = probe();
            unavailable = why;
        }
        assumeTrue(why.isEmpty(), why);
    }

    static Optional<Path> bwrap() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "bwrap");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String probe() {
        if (!System.getProperty("os.name", "").toLowerCase().startsWith("linux")) {
            return "skipped: network namespaces need Linux";
        }
        Optional<Path> bwrap = bwrap();
        if (bwrap.isEmpty()) {
            return "skipped: bubblewrap (bwrap) is not installed; .ci/run installs it";
        }
        try {
            Process p = new ProcessBuilder(List.of(bwrap.get().toString(), "--unshare-net", "--unshare-pid", "--cap-drop", "ALL",
                    "--dev-bind", "/", "/", "--proc", "/proc", "--", "true")).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "skipped: bwrap did not make a sandbox within 30 s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? "" : "skipped: this machine cannot make network namespaces: " + out;
        } catch (Exception e) {
            return "skipped: cannot run bwrap: " + e;
        }
    }
}
