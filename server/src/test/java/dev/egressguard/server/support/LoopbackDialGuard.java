package dev.egressguard.server.support;

import dev.egressguard.server.DialGuard;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Refuses any dial outside 127.0.0.0/8 and ::1, and remembers it so the test fails: no test may
 * make the proxy send a packet off this machine, even through a bug. Also records every dial.
 */
public final class LoopbackDialGuard implements DialGuard {
    private final List<InetSocketAddress> dials = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> violations = new CopyOnWriteArrayList<>();

    @Override
    public void check(InetSocketAddress address) {
        dials.add(address);
        byte[] b = address.getAddress().getAddress();
        boolean loopback = (b.length == 4 && b[0] == 127) || (b.length == 16 && isIpv6Loopback(b));
        if (!loopback) {
            violations.add(address);
            throw new SecurityException("test dial guard: refused a dial to non-loopback " + address);
        }
    }

    private static boolean isIpv6Loopback(byte[] b) {
        for (int i = 0; i < 15; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[15] == 1;
    }

    public List<InetSocketAddress> dials() {
        return dials;
    }

    public List<InetSocketAddress> violations() {
        return violations;
    }
}
