package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.server.approval.ApprovalClient;
import dev.egressguard.server.approval.ApprovalTransport;
import dev.egressguard.server.audit.AuditSink;
import dev.egressguard.server.tls.Interception;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every connection of one proxy shares: the current policy (replaced whole on reload), the
 * resolver, the connector, the audit sink, the metrics, the limits, the authenticator, and whether
 * the proxy is draining.
 */
final class ProxyContext {
    /**
     * A policy, its generation (1 at start, +1 per reload), its approval client (null when the
     * policy asks nobody) and its TLS interception, read and replaced together: a reload empties the
     * approvals' cache, and keeps the interception CA when the policy keeps it.
     */
    record Snapshot(PolicyFile file, long generation, ApprovalClient approvals, Interception tls) {}

    private final AtomicReference<Snapshot> policy;
    private final DestinationResolver resolver;
    private final UpstreamConnector connector;
    private final AuditSink audit;
    private final ProxyMetrics metrics;
    private final ConnectionLimits limits;
    private final RateLimiter rate;
    private final ProxyAuthenticator authenticator;
    private final IdleSweeper idleSweeper = new IdleSweeper(() -> policy().limits().idleTimeout());
    private final IdleUpstreams idleUpstreams = new IdleUpstreams(() -> policy().limits().upstreamIdleTimeout());
    private final AtomicLong connectionIds = new AtomicLong();
    private volatile boolean draining;
    private ApprovalTransport approvalTransport;

    ProxyContext(PolicyFile policy, DestinationResolver resolver, UpstreamConnector connector, AuditSink audit, ProxyMetrics metrics) {
        this.policy = new AtomicReference<>(new Snapshot(policy, 1, approvalsFor(policy), Interception.start(policy.tls(), null)));
        this.resolver = resolver;
        this.connector = connector;
        this.audit = audit;
        this.metrics = metrics;
        this.limits = new ConnectionLimits(() -> policy().limits());
        this.rate = new RateLimiter(() -> policy().limits().requestsPerSecondPerClient());
        this.authenticator = new ProxyAuthenticator();
    }

    PolicyFile policy() {
        return policy.get().file();
    }

    Snapshot snapshot() {
        return policy.get();
    }

    /**
     * Puts {@code next} in force; returns its generation.
     *
     * @throws dev.egressguard.server.tls.TlsSetupException when its TLS interception cannot be set up (the old policy stays)
     */
    long replacePolicy(PolicyFile next) {
        Interception tls = Interception.start(next.tls(), policy.get().tls());
        ApprovalClient approvals = approvalsFor(next);
        Snapshot s = policy.updateAndGet(old -> new Snapshot(next, old.generation() + 1, approvals, tls));
        authenticator.forget();
        authenticator.prepare(next.access().users());
        metrics.policyGeneration(s.generation());
        return s.generation();
    }

    /** One HTTP client for every approval of the proxy's life, made when a policy first asks. */
    private ApprovalClient approvalsFor(PolicyFile file) {
        if (file.approvals().isEmpty()) {
            return null;
        }
        synchronized (this) {
            if (approvalTransport == null) {
                approvalTransport = new ApprovalTransport();
            }
            return new ApprovalClient(file.approvals().get(), approvalTransport);
        }
    }

    /** Stops the approvals' client; in-flight approvals fail (and deny). */
    synchronized void closeApprovals() {
        if (approvalTransport != null) {
            approvalTransport.close();
        }
    }

    DestinationResolver resolver() {
        return resolver;
    }

    UpstreamConnector connector() {
        return connector;
    }

    AuditSink audit() {
        return audit;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    ConnectionLimits limits() {
        return limits;
    }

    RateLimiter rate() {
        return rate;
    }

    ProxyAuthenticator authenticator() {
        return authenticator;
    }

    IdleSweeper idleSweeper() {
        return idleSweeper;
    }

    IdleUpstreams idleUpstreams() {
        return idleUpstreams;
    }

    boolean isDraining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    String nextConnectionId() {
        return Long.toString(connectionIds.incrementAndGet(), 36);
    }
}
