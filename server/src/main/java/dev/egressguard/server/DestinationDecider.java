package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.HostCheck;
import dev.egressguard.core.policy.Policy;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The decision for one destination, on the connection's event loop and never blocking it: the
 * policy's host rules, then — for a name — the proxy's own resolution, then every answer through
 * the same policy ({@link Policy#decide(HostCheck.Pending, List)}); {@code check} walks the same
 * two steps. Report mode is part of the decision the policy returns.
 */
final class DestinationDecider {
    /**
     * What was decided, and what may be dialled because of it.
     *
     * @param answers  the resolved answer set, empty for a literal or when resolution failed
     * @param dialable the vetted addresses, in order; empty when the decision does not let traffic through
     */
    record Outcome(Decision decision, List<InetAddress> answers, List<InetAddress> dialable) {}

    private final ProxyContext proxy;

    DestinationDecider(ProxyContext proxy) {
        this.proxy = proxy;
    }

    Future<Outcome> decide(Policy policy, String host, int port, EventLoop loop) {
        HostCheck check = policy.checkHost(host, port);
        if (check instanceof HostCheck.Decided) {
            Decision d = ((HostCheck.Decided) check).decision();
            List<InetAddress> literal = check.destination().flatMap(x -> x.literal()).map(a -> List.of(a.toInetAddress())).orElse(List.of());
            return loop.newSucceededFuture(new Outcome(d, List.of(), d.permitsTraffic() ? literal : List.of()));
        }
        HostCheck.Pending pending = (HostCheck.Pending) check;
        Promise<Outcome> outcome = loop.newPromise();
        long start = System.nanoTime();
        proxy.resolver().resolve(loop, pending.target().host()).addListener((Future<List<InetAddress>> f) -> {
            proxy.metrics().dnsLatency(System.nanoTime() - start);
            if (!f.isSuccess()) {
                outcome.setSuccess(new Outcome(DestinationResolver.failureDecision(f.cause()), List.of(), List.of()));
                return;
            }
            List<InetAddress> answers = f.getNow();
            List<IpAddress> ips = new ArrayList<>(answers.size());
            answers.forEach(a -> ips.add(IpAddress.fromInetAddress(a)));
            Decision d = policy.decide(pending, ips);
            outcome.setSuccess(new Outcome(d, answers, d.permitsTraffic() ? answers : List.of()));
        });
        return outcome;
    }
}
