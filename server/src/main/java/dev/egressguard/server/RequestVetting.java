package dev.egressguard.server;

import dev.egressguard.config.ProxyUser;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Everything a request head goes through before any upstream, in order, against one policy
 * snapshot: {@link RequestAdmission} (draining, audit, rate, the decoder's verdict, credentials),
 * {@link RequestValidation} (its shape and target), a tunnel slot for CONNECT and WebSocket, the
 * identity (the proxy user or the client's address), and the {@link DestinationDecider decision}. It records the exchange's decision event — exactly one,
 * whichever step ends it — and never blocks the event loop.
 */
final class RequestVetting {
    /**
     * How vetting ended: a request allowed to its vetted addresses, or the refusal to answer.
     *
     * @param dialable the vetted addresses, in order; empty exactly when refused
     * @param tunnel   how a CONNECT tunnel is carried (docs/tls.md); {@link TunnelPlan#PLAIN} without TLS configuration
     */
    record Verdict(ValidRequest request, List<InetAddress> dialable, Decision refusal, TunnelPlan tunnel) {
        static Verdict refused(Decision refusal) {
            return new Verdict(null, List.of(), refusal, TunnelPlan.PLAIN);
        }
    }

    /** The credentials this connection last sent and the outcome, valid while the policy's users list is the same one. */
    private record Accepted(String credentials, List<ProxyUser> users, ProxyAuthenticator.Outcome outcome) {
        boolean matches(String header, List<ProxyUser> current) {
            return users == current && credentials.equals(header);
        }
    }

    private final ProxyContext proxy;
    private final DestinationDecider decider;
    /** One vetting per client connection: a keep-alive connection's repeated credentials are checked once. */
    private Accepted accepted;

    RequestVetting(ProxyContext proxy) {
        this.proxy = proxy;
        this.decider = new DestinationDecider(proxy);
    }

    /**
     * Vets {@code head} for {@code exchange}; {@code admitted} runs once the client is let in (before
     * the decision). Completes on {@code loop}.
     */
    Future<Verdict> vet(HttpRequest head, Exchange exchange, RequestBody body, IpAddress client, EventLoop loop, Runnable admitted) {
        Promise<Verdict> verdict = loop.newPromise();
        ProxyContext.Snapshot snapshot = proxy.snapshot(); // one policy for the whole request
        exchange.policyGeneration(snapshot.generation());
        Decision refused = RequestAdmission.refusal(proxy, client, head).orElse(null);
        if (refused != null) {
            return verdict.setSuccess(refuse(exchange, refused));
        }
        if (!snapshot.file().access().requiresAuth()) {
            admitted.run();
            validateAndDecide(head, exchange, body, client, null, snapshot, loop, verdict);
            return verdict;
        }
        String credentials = head.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION);
        List<ProxyUser> users = snapshot.file().access().users();
        Future<ProxyAuthenticator.Outcome> checked = accepted != null && accepted.matches(credentials, users)
                ? loop.newSucceededFuture(accepted.outcome()) // this connection's credentials, accepted by the same users list
                : RequestAdmission.authenticate(proxy, snapshot.file(), loop, head);
        checked.addListener((Future<ProxyAuthenticator.Outcome> f) -> {
            ProxyAuthenticator.Outcome o = f.getNow();
            accepted = o.ok() ? new Accepted(credentials, users, o) : null;
            if (!o.ok()) {
                verdict.setSuccess(refuse(exchange, Decision.deny(o.refusal(), "auth.users")));
                return;
            }
            exchange.user(o.user());
            admitted.run();
            validateAndDecide(head, exchange, body, client, o.user(), snapshot, loop, verdict);
        });
        return verdict;
    }

    /**
     * Vets a SOCKS5 CONNECT to {@code target} by {@code user} (null without authentication, which
     * the handshake already checked): the same admission, identity, tunnel slot and decision as HTTP.
     */
    Future<Verdict> vetSocks(RequestTarget target, String user, Exchange exchange, IpAddress client, EventLoop loop) {
        Promise<Verdict> verdict = loop.newPromise();
        ProxyContext.Snapshot snapshot = proxy.snapshot();
        exchange.policyGeneration(snapshot.generation());
        Decision refused = RequestAdmission.refusal(proxy, client).orElse(null);
        if (refused != null) {
            return verdict.setSuccess(refuse(exchange, refused));
        }
        exchange.identity(snapshot.file().destinations().identify(Optional.ofNullable(user), client));
        decide(new ValidRequest(target, null, false, false, null), exchange, snapshot, loop, verdict);
        return verdict;
    }

    private void validateAndDecide(HttpRequest head, Exchange exchange, RequestBody body, IpAddress client, String user,
                                   ProxyContext.Snapshot snapshot, EventLoop loop, Promise<Verdict> verdict) {
        exchange.identity(snapshot.file().destinations().identify(Optional.ofNullable(user), client));
        RequestValidation.Outcome v = RequestValidation.validate(head);
        if (v.refusal() != null) {
            verdict.setSuccess(refuse(exchange, v.refusal()));
            return;
        }
        ValidRequest request = v.valid();
        if (request.mode() == RequestTarget.Mode.CONNECT) {
            body.drop(); // a CONNECT has no body: Netty marks its end with an empty last content
        }
        decide(request, exchange, snapshot, loop, verdict);
    }

    /** The target's tunnel slot (every mode but forwarding takes one), then its decision; the exchange's one decision event. */
    private void decide(ValidRequest request, Exchange exchange, ProxyContext.Snapshot snapshot, EventLoop loop, Promise<Verdict> verdict) {
        exchange.target(request.mode(), request.target().host(), request.target().port());
        String identity = exchange.identity();
        if (request.mode() != RequestTarget.Mode.FORWARD && !admitTunnel(exchange)) {
            // refused before any decision or DNS: one decision event, limit.tunnels
            verdict.setSuccess(refuse(exchange, Decision.deny(Reason.LIMIT_TUNNELS, "limits.maxTunnels")));
            return;
        }
        decider.decide(snapshot, identity, request.target(), loop)
                .addListener((Future<DestinationDecider.Outcome> f) -> {
                    DestinationDecider.Outcome o = f.getNow();
                    if (o.approval() != null) {
                        exchange.approval(o.approval());
                    }
                    List<InetAddress> checked = o.answers().isEmpty() ? o.dialable() : o.answers();
                    if (!checked.isEmpty()) {
                        exchange.addresses(checked);
                    }
                    // TLS (docs/tls.md): how an allowed tunnel is carried; a cleartext request to an intercepted host is refused
                    TunnelPlan tunnel = o.dialable().isEmpty() ? TunnelPlan.PLAIN : TunnelPlan.of(snapshot, identity, request, o.dialable());
                    Decision d = tunnel.refusal().orElse(o.decision());
                    exchange.decided(d);
                    verdict.setSuccess(o.dialable().isEmpty() || d.isDenied() ? Verdict.refused(d) : new Verdict(request, o.dialable(), null, tunnel));
                });
    }

    /** Takes a tunnel slot for this CONNECT or WebSocket exchange, given back when it closes. */
    private boolean admitTunnel(Exchange exchange) {
        if (!proxy.limits().admitTunnel()) {
            return false;
        }
        proxy.metrics().tunnelOpened();
        exchange.onClose(() -> {
            proxy.limits().releaseTunnel();
            proxy.metrics().tunnelClosed();
        });
        return true;
    }

    private static Verdict refuse(Exchange exchange, Decision refusal) {
        exchange.decided(refusal);
        return Verdict.refused(refusal);
    }
}
