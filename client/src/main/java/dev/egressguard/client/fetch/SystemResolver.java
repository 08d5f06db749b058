package dev.egressguard.client.fetch;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.Resolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM's resolver ({@link InetAddress#getAllByName}), the default of {@link GuardedFetch}.
 * Only the guard calls it, with a name that passed the host rules; an IP literal comes back as
 * itself, as the OS resolver echoes it for OpenClaw.
 */
final class SystemResolver implements Resolver {
    static final SystemResolver INSTANCE = new SystemResolver();

    private SystemResolver() {}

    @Override
    public List<IpAddress> resolve(String hostname) throws UnknownHostException {
        List<IpAddress> out = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(hostname)) {
            out.add(IpAddress.fromInetAddress(a));
        }
        return out;
    }

    @Override
    public String toString() {
        return "SystemResolver";
    }
}
