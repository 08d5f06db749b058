package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.channel.Channel;
import java.util.Optional;

/**
 * Whether a new client connection — on the HTTP or the SOCKS5 listener — may use the proxy, once
 * its real address is known: a source outside {@code clients.allow} is refused (and audited at
 * once); a connection over the connection limits is refused with the limit's reason (its listener
 * answers it); an admitted one is counted until it closes.
 */
final class ConnectionAdmission {
    private ConnectionAdmission() {}

    /** Empty when admitted; else the reason it is not ({@code client.not_allowed} already audited, and closed by the caller). */
    static Optional<Reason> admit(ProxyContext proxy, Channel ch) {
        IpAddress source = ClientAddress.ipOf(ch);
        if (!isAllowed(proxy, source)) {
            proxy.metrics().connectionRefused();
            Exchange.refusedConnection(proxy, ch, Decision.deny(Reason.CLIENT_NOT_ALLOWED, "clients.allow"), "client_not_allowed");
            return Optional.of(Reason.CLIENT_NOT_ALLOWED);
        }
        Optional<Reason> over = proxy.isDraining() ? Optional.of(Reason.PROXY_DRAINING) : proxy.limits().admit(source);
        if (over.isPresent()) {
            proxy.metrics().connectionRefused();
            return over;
        }
        proxy.metrics().connectionOpened();
        ch.closeFuture().addListener(f -> {
            proxy.limits().release(source);
            proxy.metrics().connectionClosed();
        });
        return Optional.empty();
    }

    private static boolean isAllowed(ProxyContext proxy, IpAddress source) {
        for (IpRange r : proxy.policy().clientsAllow()) {
            if (r.contains(source)) {
                return true;
            }
        }
        return false;
    }
}
