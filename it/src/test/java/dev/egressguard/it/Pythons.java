package dev.egressguard.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds a Python 3 that can import the modules a test needs: Debian's first (.ci/run installs its packages), then PATH's. */
final class Pythons {
    private Pythons() {}

    static Optional<String> withModules(String... modules) {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            if (candidate.startsWith("/") && !Files.isExecutable(Path.of(candidate))) {
                continue;
            }
            try {
                ChildProcess.Result r = ChildProcess.run(List.of(candidate, "-c", "import " + String.join(", ", modules)), Map.of(), null,
                        Duration.ofSeconds(20));
                if (r.exit() == 0) {
                    return Optional.of(candidate);
                }
            } catch (Exception notThere) {
                // try the next one
            }
        }
        return Optional.empty();
    }
}
