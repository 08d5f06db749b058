package dev.egressguard.cli;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The shared {@code --policy FILE} option. */
final class PolicyOption {
    @Option(names = "--policy", paramLabel = "<file>", description = "Policy file (YAML). Default: the embedded default policy.")
    Path file;

    /** The loaded policy file; a broken file throws with every problem listed. */
    PolicyFile load() {
        return file == null ? PolicyFileLoader.embeddedDefault() : PolicyFileLoader.load(file);
    }
}
