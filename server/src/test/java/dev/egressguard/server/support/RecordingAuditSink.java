package dev.egressguard.server.support;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.audit.AuditSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Keeps every audit event, also as its JSON line, for assertions. */
public final class RecordingAuditSink implements AuditSink {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void emit(AuditEvent event) {
        events.add(event);
        event.toJson(); // every event must serialise
    }

    public List<AuditEvent> events() {
        return events;
    }

    public List<String> jsonLines() {
        return events.stream().map(AuditEvent::toJson).collect(Collectors.toList());
    }

    /** Waits (bounded) until an event matches, and returns it; fails with the events seen. */
    public AuditEvent await(Predicate<AuditEvent> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (AuditEvent e : events) {
                if (match.test(e)) {
                    return e;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no matching audit event within " + timeout + "; seen: " + jsonLines());
    }

    public AuditEvent awaitClose(String host) {
        return await(e -> e.event().equals("close") && host.equals(e.host()), Duration.ofSeconds(10));
    }

    public AuditEvent awaitDecision(String host) {
        return await(e -> e.event().equals("decision") && host.equals(e.host()), Duration.ofSeconds(10));
    }

    public void clear() {
        events.clear();
    }
}
