package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * The real client of a connection: the address a trusted load balancer reported in its PROXY
 * protocol header, else the connection's peer. Access control, limits and audit all use this.
 */
final class ClientAddress {
    static final AttributeKey<InetSocketAddress> REPORTED = AttributeKey.valueOf("egressguard.client");

    private ClientAddress() {}

    static InetSocketAddress of(Channel ch) {
        InetSocketAddress reported = ch.attr(REPORTED).get();
        return reported != null ? reported : (InetSocketAddress) ch.remoteAddress();
    }

    static IpAddress ipOf(Channel ch) {
        return IpAddress.fromInetAddress(of(ch).getAddress());
    }

    /** {@code 127.0.0.1:5000} / {@code [::1]:5000}, or {@code unknown}. */
    static String text(Channel ch) {
        InetSocketAddress a = of(ch);
        return a == null ? "unknown" : IpAddress.fromInetAddress(a.getAddress()).toUriHost() + ":" + a.getPort();
    }
}
