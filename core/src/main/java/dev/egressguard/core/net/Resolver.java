package dev.egressguard.core.net;

import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a hostname into addresses. One method, a checked exception at the I/O boundary (as
 * OkHttp's {@code Dns}). Implementations live outside {@code core}: the proxy's async resolver,
 * the system resolver, a test's fixed table.
 */
@FunctionalInterface
public interface Resolver {
    /** The answer set for {@code hostname}; never empty (throw instead). */
    List<IpAddress> resolve(String hostname) throws UnknownHostException;
}
