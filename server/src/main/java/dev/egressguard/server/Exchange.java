package dev.egressguard.server;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.audit.AuditFields;
import dev.egressguard.server.audit.WireBytes;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One request or tunnel and its two canonical audit events: a {@code decision} once the proxy has
 * judged it, and a {@code close} when it is over (emitted at most once, when the hooks registered
 * with {@link #onClose} run too). Holds destination facts only: never a path, query, header value
 * or body. Feeds the metrics with the same facts.
 */
final class Exchange {
    private final ProxyContext proxy;
    private final String id;
    private final String client;
    private final String method;
    private long generation;
    private final long startNanos = System.nanoTime();
    private final long upAtStart;
    private final long downAtStart;
    private RequestTarget.Mode mode;
    private String user;
    private String identity;
    private String approval;
    private String host;
    private Integer port;
    private String path;
    private List<String> addresses;
    private String address;
    private String verdict;
    private String reason;
    private String rule;
    private boolean closed;
    private List<Runnable> closeHooks;

    Exchange(ProxyContext proxy, String id, String client, String method, long upAtStart, long downAtStart) {
        this.proxy = proxy;
        this.id = id;
        this.client = client;
        this.method = WireBytes.asText(method);
        this.generation = proxy.snapshot().generation();
        this.upAtStart = upAtStart;
        this.downAtStart = downAtStart;
    }

    void target(RequestTarget.Mode mode, String host, int port) {
        this.mode = mode;
        this.host = WireBytes.asText(host); // the bytes received, never a wrong decoding of them
        this.port = port;
    }

    /**
     * A request or handshake inside this CONNECT tunnel ({@code intercept} or {@code tls}, docs/tls.md): its own id
     * (this one's and {@code idSuffix}) and events, with the tunnel's client, user, identity, destination and policy generation.
     */
    Exchange inside(String idSuffix, RequestTarget.Mode innerMode, String innerMethod) {
        Exchange e = new Exchange(proxy, id + idSuffix, client, innerMethod, 0, 0);
        e.generation = generation;
        e.user = user;
        e.identity = identity;
        e.mode = innerMode;
        e.host = host;
        e.port = port;
        return e;
    }

    /** The decoded path of a request inside an intercepted tunnel: audited only with {@code audit.paths}, never a query. */
    void path(String decodedPath) {
        this.path = decodedPath;
    }

    /** The policy generation that decides this exchange (the snapshot {@code decide} took). */
    void policyGeneration(long generation) {
        this.generation = generation;
    }

    /** The authenticated proxy user (never the credential). */
    void user(String name) {
        this.user = name;
    }

    /** Who is asking, as the policy names it (an identity of the policy, or {@code default}). */
    void identity(String name) {
        this.identity = name;
    }

    String identity() {
        return identity;
    }

    /**
     * Who may ride an idle upstream connection this exchange leaves ({@link IdleUpstreams}): the
     * same identity, proxy user and client address — not merely the same policy group.
     */
    String sharingKey() {
        int port = client.lastIndexOf(':');
        return identity + ' ' + user + ' ' + (port > 0 ? client.substring(0, port) : client);
    }

    /** What the client asked for, as far as it is known now: for a refusal that names it. */
    RefusalBodies.Asked asked(boolean wantsJson) {
        return new RefusalBodies.Asked(host, port, identity, wantsJson);
    }

    /** What the approver said ({@code allow}, {@code deny: <message>}, {@code timeout}, ...), when it was asked. */
    void approval(String text) {
        this.approval = text;
    }

    void addresses(List<InetAddress> answers) {
        this.addresses = answers.stream().map(a -> IpAddress.fromInetAddress(a).toString()).collect(Collectors.toList());
    }

    /** The address dialled; null for none yet (an intercepted tunnel dials per request inside). */
    void connectedTo(InetAddress a) {
        this.address = a == null ? null : IpAddress.fromInetAddress(a).toString();
    }

    /** Runs {@code hook} once when the exchange closes (a tunnel slot to give back, say). */
    void onClose(Runnable hook) {
        if (closeHooks == null) {
            closeHooks = new ArrayList<>(1);
        }
        closeHooks.add(hook);
    }

    /** A connection refused before any request (clients.allow, a bad PROXY header): its decision and close, at once. */
    static void refusedConnection(ProxyContext proxy, Channel ch, Decision refusal, String error) {
        Exchange refused = new Exchange(proxy, proxy.nextConnectionId() + "-0", ClientAddress.text(ch), null, 0, 0);
        refused.decided(refusal);
        refused.closed(0, error, 0, 0);
    }

    /** Emits the decision event (verdict allow, deny or would_deny). */
    void decided(Decision decision) {
        verdict = decision.verdict().code();
        reason = decision.reason().code();
        rule = decision.rule().orElse(null);
        String modeCode = mode == null ? null : mode.code();
        String destination = host == null ? null : Hostnames.bracketIpv6(host) + (port == null ? "" : ":" + port);
        proxy.metrics().decision(identity, modeCode, decision.verdict(), decision.reason(), destination);
        if (!decision.isAllowed()) {
            proxy.metrics().denied(new ProxyMetrics.Denial(Instant.now(), modeCode, host, port == null ? 0 : port, reason, rule));
        }
        proxy.audit().emit(event(AuditFields.EVENT_DECISION, null, null, null, null, null));
    }

    /** Emits the close event once; later calls do nothing. */
    void closed(int status, String error, long upNow, long downNow) {
        if (closed) {
            return;
        }
        closed = true;
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        long up = upNow - upAtStart;
        long down = downNow - downAtStart;
        proxy.metrics().bytes(up, down);
        proxy.audit().emit(event(AuditFields.EVENT_CLOSE, status == 0 ? null : status, error, up, down, ms));
        if (closeHooks != null) {
            closeHooks.forEach(Runnable::run);
            closeHooks = null;
        }
    }

    boolean isClosed() {
        return closed;
    }

    RequestTarget.Mode mode() {
        return mode;
    }

    private AuditEvent event(String kind, Integer status, String error, Long up, Long down, Long ms) {
        return new AuditEvent(Instant.now(), kind, id, client, user, identity, mode == null ? null : mode.code(), method, host, port, path,
                addresses, address, verdict, reason, rule, approval, status, error, up, down, ms, generation);
    }
}
