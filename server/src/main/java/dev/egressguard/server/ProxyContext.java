package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.server.audit.AuditSink;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What every connection of one proxy shares: the current policy, the resolver, the connector, the audit sink. */
final class ProxyContext {
    private final AtomicReference<PolicyFile> policy;
    private final DestinationResolver resolver;
    private final VettedConnector connector;
    private final AuditSink audit;
    private final AtomicLong connectionIds = new AtomicLong();

    ProxyContext(PolicyFile policy, DestinationResolver resolver, VettedConnector connector, AuditSink audit) {
        this.policy = new AtomicReference<>(policy);
        this.resolver = resolver;
        this.connector = connector;
        this.audit = audit;
    }

    PolicyFile policy() {
        return policy.get();
    }

    DestinationResolver resolver() {
        return resolver;
    }

    VettedConnector connector() {
        return connector;
    }

    AuditSink audit() {
        return audit;
    }

    String nextConnectionId() {
        return Long.toString(connectionIds.incrementAndGet(), 36);
    }
}
