package dev.egressguard.core.tls;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.DestinationAction;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.Reason;

/**
 * The decision for one request inside an intercepted tunnel, once its {@code Host} has been
 * checked: the path read once ({@link RequestPaths}), {@code TRACE} and {@code CONNECT} refused,
 * then the host's rules, first match, no match denied. Pure: the proxy and {@code check} share it.
 * In report mode a rule's denial (or an {@code ask}, which asks nobody) is {@code would_deny} and
 * the request goes on; a path or method refusal stays a refusal.
 */
public final class InterceptCheck {
    /** The rule id of a refused method. */
    public static final String METHOD_RULE = "tls:method";

    /**
     * What was decided.
     *
     * @param path   the decoded path (null when it was refused)
     * @param asking the rule that asks the approver, when one does; {@code decision} is then what follows an approval
     */
    public record Verdict(Decision decision, String path, RequestRule asking) {}

    private InterceptCheck() {}

    public static Verdict decide(InterceptEntry entry, String method, String requestTarget, EnforcementMode mode) {
        RequestPaths.Checked path = RequestPaths.check(requestTarget);
        if (!path.isValid()) {
            return new Verdict(Decision.deny(Reason.HTTP_PATH_INVALID, path.refusal()), null, null);
        }
        if (method.equalsIgnoreCase("TRACE") || method.equalsIgnoreCase("CONNECT")) {
            return new Verdict(Decision.deny(Reason.HTTP_METHOD_DENIED, METHOD_RULE), path.path(), null);
        }
        for (RequestRule r : entry.rules()) {
            if (!r.matches(method, path.path())) {
                continue;
            }
            if (r.action() == DestinationAction.ALLOW) {
                return new Verdict(Decision.allow(Reason.HTTP_RULE_ALLOWED, r.id()), path.path(), null);
            }
            if (r.action() == DestinationAction.ASK) {
                return mode == EnforcementMode.REPORT
                        ? new Verdict(Decision.deny(Reason.APPROVAL_REQUIRED, r.id()).reportedOnly(), path.path(), null)
                        : new Verdict(Decision.allow(Reason.HTTP_RULE_ALLOWED, r.id()), path.path(), r);
            }
            Decision denied = r.reason().map(Decision.deny(Reason.HTTP_RULE_DENIED, r.id())::withMessage)
                    .orElse(Decision.deny(Reason.HTTP_RULE_DENIED, r.id()));
            return new Verdict(reportable(denied, mode), path.path(), null);
        }
        return new Verdict(reportable(Decision.deny(Reason.HTTP_RULE_DENIED, entry.noMatchRule()), mode), path.path(), null);
    }

    private static Decision reportable(Decision d, EnforcementMode mode) {
        return mode == EnforcementMode.REPORT ? d.reportedOnly() : d;
    }
}
