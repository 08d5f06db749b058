package dev.egressguard.server.tls;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.tls.InterceptCheck;
import dev.egressguard.server.approval.ApprovalRequest;
import dev.egressguard.server.approval.ApprovalResult;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * The approver's part in a request inside an intercepted tunnel: when the rule that named it says
 * {@code ask}, the proxy's approver is asked — with the identity, host, port, mode
 * {@code intercept}, the rule and the method, never the path — and its answer decides; its audit
 * text goes on the request's events. Never blocks: the future completes on the connection's loop.
 */
final class RuleApprovals {
    private RuleApprovals() {}

    /** The decision for {@code verdict}: at once when no rule asks, else once the approver has answered. */
    static Future<Decision> decide(TunnelServices services, InterceptCheck.Verdict verdict, String method, TunnelServices.InnerExchange inner,
                                   EventExecutor loop) {
        if (verdict.asking() == null) {
            return loop.newSucceededFuture(verdict.decision());
        }
        String rule = verdict.asking().id();
        if (services.approvals() == null) { // a policy that asks always names an approver; fail closed all the same
            return loop.newSucceededFuture(Decision.deny(Reason.APPROVAL_ERROR, rule));
        }
        Promise<Decision> decided = loop.newPromise();
        ApprovalRequest request = new ApprovalRequest(services.identity(), services.host(), services.port(), "intercept", rule, method);
        services.approvals().ask(request, loop).addListener((Future<ApprovalResult> f) -> {
            ApprovalResult r = f.getNow();
            inner.approval(r.auditText());
            if (r.isAllowed()) {
                decided.setSuccess(verdict.decision());
                return;
            }
            Decision denied = r.denial(rule).orElseThrow();
            decided.setSuccess(r.message().map(denied::withMessage).orElse(denied));
        });
        return decided;
    }
}
