package dev.egressguard.server.audit;

/** Where audit events go. Implementations must be thread-safe and must never block. */
@FunctionalInterface
public interface AuditSink {
    void emit(AuditEvent event);

    /** False when the sink cannot take more events for now: the proxy then refuses new requests. */
    default boolean hasCapacity() {
        return true;
    }
}
