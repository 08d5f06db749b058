package dev.egressguard.core.tls;

import dev.egressguard.core.policy.DestinationAction;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule of an intercepted host: the methods it names (empty: every method), the path pattern,
 * and what it does — {@code allow}, {@code deny} (with an optional reason the agent sees), or
 * {@code ask} the operator's approver. The first rule that names a request decides it.
 *
 * @param id the rule id in audit events: {@code tls.intercept[0].rules[1]}
 */
public record RequestRule(String id, List<String> methods, PathGlob path, DestinationAction action, Optional<String> reason) {
    public RequestRule {
        Objects.requireNonNull(id, "id");
        methods = methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason");
    }

    /** True when this rule names {@code method} (as sent, case-sensitive per RFC 9110) on the decoded {@code path}. */
    public boolean matches(String method, String path) {
        return (methods.isEmpty() || methods.contains(method)) && this.path.matches(path);
    }
}
