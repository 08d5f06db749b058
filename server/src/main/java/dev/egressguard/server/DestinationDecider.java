package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.HostCheck;
import dev.egressguard.core.policy.Policy;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.server.approval.ApprovalClient;
import dev.egressguard.server.approval.ApprovalRequest;
import dev.egressguard.server.approval.ApprovalResult;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The decision for one destination and one identity, on the connection's event loop and never
 * blocking it, in the layers of {@link Policy#checkHost(String, int,
 * dev.egressguard.core.policy.DestinationPolicy, String)}: the host rules and the identity's
 * destinations before DNS — asking the operator's approver when they say {@code ask} — then, for a
 * name, the proxy's own resolution and every answer through the built-in denylist
 * ({@link Policy#decide(HostCheck.Pending, List)}). {@code check} walks the same layers.
 */
final class DestinationDecider {
    /**
     * What was decided, and what may be dialled because of it.
     *
     * @param answers  the resolved answer set, empty for a literal or when resolution failed
     * @param dialable the vetted addresses, in order; empty when the decision does not let traffic through
     * @param approval what the approver said (its audit text), when it was asked
     */
    record Outcome(Decision decision, List<InetAddress> answers, List<InetAddress> dialable, String approval) {}

    private final ProxyContext proxy;

    DestinationDecider(ProxyContext proxy) {
        this.proxy = proxy;
    }

    Future<Outcome> decide(ProxyContext.Snapshot snapshot, String identity, RequestTarget target, EventLoop loop) {
        Policy policy = snapshot.file().policy();
        HostCheck check = policy.checkHost(target.host(), target.port(), snapshot.file().destinations(), identity);
        if (!(check instanceof HostCheck.Ask)) {
            return afterApproval(policy, check, null, loop);
        }
        HostCheck.Ask ask = (HostCheck.Ask) check;
        ApprovalClient approvals = snapshot.approvals();
        String rule = ask.asking().rule().orElse(null);
        if (approvals == null) { // a policy that asks always names an approver; fail closed all the same
            return loop.newSucceededFuture(new Outcome(Decision.deny(Reason.APPROVAL_ERROR, rule), List.of(), List.of(), null));
        }
        Promise<Outcome> outcome = loop.newPromise();
        proxy.metrics().approvalStarted(identity);
        approvals.ask(new ApprovalRequest(identity, ask.target().host(), target.port(), target.mode().code()), loop)
                .addListener((Future<ApprovalResult> f) -> {
                    proxy.metrics().approvalEnded(identity);
                    ApprovalResult r = f.getNow();
                    if (!r.isAllowed()) {
                        Decision denied = r.denial(rule).orElseThrow();
                        denied = r.message().map(denied::withMessage).orElse(denied);
                        outcome.setSuccess(new Outcome(denied, List.of(), List.of(), r.auditText()));
                        return;
                    }
                    afterApproval(policy, ask.then(), r.auditText(), loop).addListener((Future<Outcome> next) -> outcome.setSuccess(next.getNow()));
                });
        return outcome;
    }

    /** The host rules' outcome once no approval is outstanding: final for a literal, else resolve and decide every answer. */
    private Future<Outcome> afterApproval(Policy policy, HostCheck check, String approval, EventLoop loop) {
        if (check instanceof HostCheck.Decided) {
            Decision d = ((HostCheck.Decided) check).decision();
            List<InetAddress> literal = check.destination().flatMap(x -> x.literal()).map(a -> List.of(a.toInetAddress())).orElse(List.of());
            return loop.newSucceededFuture(new Outcome(d, List.of(), d.permitsTraffic() ? literal : List.of(), approval));
        }
        HostCheck.Pending pending = (HostCheck.Pending) check;
        Promise<Outcome> outcome = loop.newPromise();
        long start = System.nanoTime();
        proxy.resolver().resolve(loop, pending.target().host()).addListener((Future<List<InetAddress>> f) -> {
            proxy.metrics().dnsLatency(System.nanoTime() - start);
            if (!f.isSuccess()) {
                outcome.setSuccess(new Outcome(DestinationResolver.failureDecision(f.cause()), List.of(), List.of(), approval));
                return;
            }
            List<InetAddress> answers = f.getNow();
            List<IpAddress> ips = new ArrayList<>(answers.size());
            answers.forEach(a -> ips.add(IpAddress.fromInetAddress(a)));
            Decision d = policy.decide(pending, ips);
            outcome.setSuccess(new Outcome(d, answers, d.permitsTraffic() ? answers : List.of(), approval));
        });
        return outcome;
    }
}
