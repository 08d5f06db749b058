package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.channel.EventLoop;
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

    private final ProxyContext proxy;
    private final DestinationDecider decider;

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
        RequestAdmission.authenticate(proxy, snapshot.file(), loop, head).addListener((Future<ProxyAuthenticator.Outcome> f) -> {
            ProxyAuthenticator.Outcome o = f.getNow();
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

    private void validateAndDecide(HttpRequest head, Exchange exchange, RequestBody body, IpAddress client, String user,
                                   ProxyContext.Snapshot snapshot, EventLoop loop, Promise<Verdict> verdict) {
        String identity = snapshot.file().destinations().identify(Optional.ofNullable(user), client);
        exchange.identity(identity);
        RequestValidation.Outcome v = RequestValidation.validate(head);
        if (v.refusal() != null) {
            verdict.setSuccess(refuse(exchange, v.refusal()));
            return;
        }
        ValidRequest request = v.valid();
        exchange.target(request.mode(), request.target().host(), request.target().port());
        if (request.mode() == RequestTarget.Mode.CONNECT) {
            body.drop(); // a CONNECT has no body: Netty marks its end with an empty last content
        }
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
