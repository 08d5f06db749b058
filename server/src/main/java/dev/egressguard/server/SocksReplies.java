package dev.egressguard.server;

import dev.egressguard.core.policy.Decision;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import java.net.InetSocketAddress;

/**
 * What a SOCKS5 client is told (RFC 1928 section 6), by the same reason kinds that choose an HTTP
 * client's status: a policy denial or a refused request is 0x02 (not allowed by ruleset), a name
 * that does not resolve 0x04 (host unreachable), a refused connection 0x05, a timeout 0x06, limits
 * and internal failures 0x01. The reason code itself is in the audit event, not on the wire:
 * SOCKS has no place for it.
 */
final class SocksReplies {
    private SocksReplies() {}

    static Socks5CommandStatus statusFor(Decision refusal) {
        switch (refusal.reason().kind()) {
            case RESOLUTION:
                return Socks5CommandStatus.HOST_UNREACHABLE;
            case CAPACITY:
            case INTERNAL:
                return Socks5CommandStatus.FAILURE;
            default:
                return Socks5CommandStatus.FORBIDDEN;
        }
    }

    static Socks5CommandStatus statusFor(ProxyStatusError upstreamFailure) {
        switch (upstreamFailure) {
            case CONNECTION_REFUSED:
                return Socks5CommandStatus.CONNECTION_REFUSED;
            case CONNECTION_TIMEOUT:
                return Socks5CommandStatus.TTL_EXPIRED;
            default:
                return Socks5CommandStatus.FAILURE;
        }
    }

    /** A failure reply: no bound address to tell. */
    static Socks5CommandResponse failure(Socks5CommandStatus status) {
        return new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4, "0.0.0.0", 0);
    }

    /** The success reply, naming the address the proxy connected from. */
    static Socks5CommandResponse success(InetSocketAddress bound) {
        String host = bound.getAddress().getHostAddress();
        Socks5AddressType type = host.indexOf(':') >= 0 ? Socks5AddressType.IPv6 : Socks5AddressType.IPv4;
        return new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS, type, host, bound.getPort());
    }
}
