package dev.egressguard.core.guard;

import dev.egressguard.core.net.IpAddress;
import java.util.List;
import java.util.Objects;

/** A hostname and the vetted addresses a connection to it may use; nothing else may be dialled. */
public record PinnedHostname(String hostname, List<IpAddress> addresses) {
    public PinnedHostname {
        Objects.requireNonNull(hostname, "hostname");
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("addresses: [] (expected: at least one vetted address)");
        }
    }
}
