package dev.egressguard.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where audit events go: JSON lines on standard output (the default), or appended to a file.
 *
 * @param file the audit log file; null for standard output
 */
public record AuditSettings(Path file) {
    private static final AuditSettings DEFAULTS = new AuditSettings(null);

    public static AuditSettings defaults() {
        return DEFAULTS;
    }

    public Optional<Path> fileIfSet() {
        return Optional.ofNullable(file);
    }
}
