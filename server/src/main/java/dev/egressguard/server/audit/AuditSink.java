package dev.egressguard.server.audit;

/** Where audit events go. Implementations must be thread-safe and must not block for long. */
@FunctionalInterface
public interface AuditSink {
    void emit(AuditEvent event);
}
