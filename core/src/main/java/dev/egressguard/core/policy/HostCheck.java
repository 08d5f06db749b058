package dev.egressguard.core.policy;

import java.util.Optional;

/**
 * The outcome of the host rules, before any DNS. When allowed, the {@link Decision} is final for a
 * literal IP, and {@link Reason#HOST_NOT_RESOLVED} for a name whose answers must still be decided.
 * The destination is absent only when the host could not be read at all.
 */
public final class HostCheck {
    private final Destination destination;
    private final Decision decision;

    HostCheck(Destination destination, Decision decision) {
        this.destination = destination;
        this.decision = decision;
    }

    public Optional<Destination> destination() {
        return Optional.ofNullable(destination);
    }

    public Decision decision() {
        return decision;
    }

    /** True when the host is a name that must be resolved and its answers decided. */
    public boolean needsResolution() {
        return decision.isAllowed() && decision.reason() == Reason.HOST_NOT_RESOLVED;
    }

    @Override
    public String toString() {
        return decision + (destination == null ? "" : " " + destination);
    }
}
