package dev.egressguard.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where audit events go: JSON lines on standard output (the default), or appended to a file.
 *
 * @param file  the audit log file; null for standard output
 * @param paths whether the events of requests inside intercepted TLS tunnels carry the path (never the query)
 */
public record AuditSettings(Path file, boolean paths) {
    private static final AuditSettings DEFAULTS = new AuditSettings(null, false);

    public AuditSettings(Path file) {
        this(file, false);
    }

    public static AuditSettings defaults() {
        return DEFAULTS;
    }

    public Optional<Path> fileIfSet() {
        return Optional.ofNullable(file);
    }
}
