package dev.egressguard.cli;

import dev.egressguard.client.routing.RuntimeConfigFile;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The shared {@code --config FILE} option of the runtime commands (config, run). */
final class RuntimeConfigOption {
    @Option(names = "--config", paramLabel = "<file>",
            description = "Runtime config file. Default: $OPENCLAW_STATE_DIR/config.yaml, else ~/.openclaw/config.yaml.")
    Path file;

    Optional<Path> explicit() {
        return Optional.ofNullable(file);
    }

    Path location() {
        return RuntimeConfigFile.locate(explicit(), System.getenv(), RuntimeConfigFile.home(System.getenv()));
    }
}
