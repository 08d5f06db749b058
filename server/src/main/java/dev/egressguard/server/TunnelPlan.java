package dev.egressguard.server;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.DestinationRules;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.core.tls.TunnelMode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * How an allowed request's tunnel is carried (docs/tls.md), read from the policy snapshot for the
 * exchange's identity: a plain relay exactly as before (no {@code tls} configuration: nothing is
 * added), a relay after the SNI check (a tunnel that is not intercepted, when TLS is configured),
 * or intercepted — terminated with a minted certificate and checked request by request, with
 * nothing dialled at CONNECT. A cleartext or WebSocket request to an intercepted host is refused
 * ({@code tls.cleartext_refused}), and so is a SOCKS5 CONNECT to it: its rules apply to HTTPS
 * through an HTTP CONNECT only.
 */
final class TunnelPlan {
    static final TunnelPlan PLAIN = new TunnelPlan(TunnelMode.PLAIN, null, null, null, List.of());

    private final TunnelMode mode;
    private final ProxyContext.Snapshot snapshot;
    private final String identity;
    private final RequestTarget target;
    private final List<InetAddress> vetted;

    private TunnelPlan(TunnelMode mode, ProxyContext.Snapshot snapshot, String identity, RequestTarget target, List<InetAddress> vetted) {
        this.mode = mode;
        this.snapshot = snapshot;
        this.identity = identity;
        this.target = target;
        this.vetted = vetted;
    }

    /** The plan for a request its destination decision allowed to the {@code vetted} addresses. */
    static TunnelPlan of(ProxyContext.Snapshot snapshot, String identity, ValidRequest request, List<InetAddress> vetted) {
        if (!snapshot.tls().tunnels().isConfigured()) {
            return PLAIN;
        }
        Optional<String> entry = snapshot.file().destinations().rulesFor(identity).map(DestinationRules::identity);
        TunnelMode m = snapshot.tls().tunnels().modeFor(entry, request.target().host(), request.target().port());
        return new TunnelPlan(m, snapshot, identity, request.target(), List.copyOf(vetted));
    }

    /** For a forward, WebSocket or SOCKS5 request to an intercepted host: its refusal (in report mode, recorded and let through). */
    Optional<Decision> refusal() {
        if (!(mode instanceof TunnelMode.Intercept) || target.mode() == RequestTarget.Mode.CONNECT) {
            return Optional.empty();
        }
        Decision d = Decision.deny(Reason.TLS_CLEARTEXT_REFUSED, ((TunnelMode.Intercept) mode).entry().id());
        return Optional.of(snapshot.file().policy().mode() == EnforcementMode.REPORT ? d.reportedOnly() : d);
    }

    /** True when the CONNECT tunnel is intercepted: nothing is dialled before a request inside passes its checks. */
    boolean intercepts() {
        return mode instanceof TunnelMode.Intercept && target.mode() == RequestTarget.Mode.CONNECT;
    }

    /**
     * Starts the CONNECT tunnel once its 200 may go out: a relay to {@code upstream} (after the SNI
     * check when TLS is configured), or, for an intercepted tunnel ({@code upstream} null: nothing
     * was dialled), the ClientHello check, TLS, and the requests inside.
     */
    void start(ProxyContext proxy, Channel client, Channel upstream, Exchange tunnel, IntConsumer onClosed) {
        if (intercepts()) {
            InterceptEntry entry = ((TunnelMode.Intercept) mode).entry();
            Tunnels.startInterceptedTunnel(client, snapshot.tls().intercept(entry, services(proxy, tunnel)), onClosed);
            return;
        }
        Tunnels.startConnectTunnel(client, upstream, onClosed, sniCheck(proxy, tunnel));
    }

    /** The SNI check before the relay of a tunnel that is not intercepted (CONNECT, SOCKS5); null when TLS is not configured. */
    ChannelHandler sniCheck(ProxyContext proxy, Exchange tunnel) {
        return mode instanceof TunnelMode.Passthrough ? snapshot.tls().sniCheck(host(), services(proxy, tunnel)) : null;
    }

    private ProxyTunnelServices services(ProxyContext proxy, Exchange tunnel) {
        return new ProxyTunnelServices(proxy, snapshot, tunnel, identity, host(), target.port(), vetted);
    }

    private String host() {
        return Hostnames.canonicalize(target.host()).orElse(target.host());
    }
}
