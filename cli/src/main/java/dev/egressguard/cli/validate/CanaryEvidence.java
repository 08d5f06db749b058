package dev.egressguard.cli.validate;

import java.util.List;
import java.util.Optional;

/**
 * What one probe's canary saw.
 *
 * @param connections connections accepted, from anyone, on any of the canary's addresses
 * @param tokenSeen   whether the run's token arrived (it does unless the proxy rewrote the request)
 * @param reachedAt   the canary address the first connection arrived at
 * @param listening   the addresses the canary listened on ({@code 127.0.0.1:41234}, {@code [::1]:41234})
 * @param covered     whether it listened everywhere the destination can land; if not, "not reached" proves nothing
 */
public record CanaryEvidence(int connections, boolean tokenSeen, Optional<String> reachedAt, List<String> listening, boolean covered) {
    public CanaryEvidence {
        listening = List.copyOf(listening);
    }

    public boolean hit() {
        return connections > 0;
    }
}
