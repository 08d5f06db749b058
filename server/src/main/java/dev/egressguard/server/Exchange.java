package dev.egressguard.server;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.audit.AuditFields;
import dev.egressguard.server.audit.AuditSink;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One request or tunnel and its two canonical audit events: a {@code decision} once the proxy has
 * judged it, and a {@code close} when it is over (emitted at most once). Holds destination facts
 * only: never a path, query, header value or body.
 */
final class Exchange {
    private final AuditSink audit;
    private final String id;
    private final String client;
    private final String method;
    private final long startNanos = System.nanoTime();
    private final long upAtStart;
    private final long downAtStart;
    private RequestTarget.Mode mode;
    private String host;
    private Integer port;
    private List<String> addresses;
    private String address;
    private String verdict;
    private String reason;
    private String rule;
    private boolean closed;

    Exchange(AuditSink audit, String id, String client, String method, long upAtStart, long downAtStart) {
        this.audit = audit;
        this.id = id;
        this.client = client;
        this.method = method;
        this.upAtStart = upAtStart;
        this.downAtStart = downAtStart;
    }

    void target(RequestTarget.Mode mode, String host, int port) {
        this.mode = mode;
        this.host = host;
        this.port = port;
    }

    void addresses(List<InetAddress> answers) {
        this.addresses = answers.stream().map(a -> dev.egressguard.core.net.IpAddress.fromInetAddress(a).toString())
                .collect(Collectors.toList());
    }

    void connectedTo(InetAddress a) {
        this.address = dev.egressguard.core.net.IpAddress.fromInetAddress(a).toString();
    }

    /** Emits the decision event; {@code reportOnly} turns a deny into {@code would_deny}. */
    void decided(Decision decision, boolean reportOnly) {
        verdict = decision.isAllowed() ? "allow" : reportOnly ? "would_deny" : "deny";
        reason = decision.reason().code();
        rule = decision.rule().orElse(null);
        audit.emit(event(AuditFields.EVENT_DECISION, null, null, null, null, null));
    }

    /** Emits the close event once; later calls do nothing. */
    void closed(int status, String error, long upNow, long downNow) {
        if (closed) {
            return;
        }
        closed = true;
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        audit.emit(event(AuditFields.EVENT_CLOSE, status == 0 ? null : status, error, upNow - upAtStart, downNow - downAtStart, ms));
    }

    boolean isClosed() {
        return closed;
    }

    boolean isDecided() {
        return verdict != null;
    }

    String id() {
        return id;
    }

    RequestTarget.Mode mode() {
        return mode;
    }

    private AuditEvent event(String kind, Integer status, String error, Long up, Long down, Long ms) {
        return new AuditEvent(Instant.now(), kind, id, client, null, mode == null ? null : mode.code(), method, host, port,
                addresses, address, verdict, reason, rule, status, error, up, down, ms);
    }
}
