package dev.egressguard.server;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.server.audit.JsonGenerators;

/**
 * The body of a refusal, for a person or for an agent. Plain text by default; JSON when the
 * client accepts it (most agent HTTP tools send {@code Accept: application/json}) — what was
 * refused, why, the operator's or approver's words, and what an operator would change — so that a
 * model reads "this destination is not on your list" instead of guessing at an empty 403. Never
 * the resolved addresses of a target, never request data.
 */
final class RefusalBodies {
    /**
     * What the client asked for, as far as it is known when the refusal happens.
     *
     * @param host     the destination host as the request named it, or null before the target was read
     * @param port     its port, or null
     * @param identity who was asking (an identity of the policy, or {@code default}), or null before it was known
     */
    record Asked(String host, Integer port, String identity, boolean wantsJson) {
        static final Asked UNKNOWN = new Asked(null, null, null, false);
    }

    private RefusalBodies() {}

    /** True for an {@code Accept} header that takes JSON ({@code application/json}, {@code +json} types). */
    static boolean acceptsJson(String accept) {
        if (accept == null) {
            return false;
        }
        String a = accept.toLowerCase(java.util.Locale.ROOT);
        return a.contains("application/json") || a.contains("+json");
    }

    static String text(Decision d, String kind) {
        Reason r = d.reason();
        String rule = d.rule().map(x -> "; rule " + x).orElse("");
        String message = d.message().map(m -> "\n" + m).orElse("");
        return "egressguard: " + kind + ": " + r.code() + " (" + r.description() + ")" + rule + message + "\n";
    }

    static String json(Decision d, Asked asked) {
        Reason r = d.reason();
        return JsonGenerators.write(g -> {
            g.writeStartObject();
            g.writeStringField("error", r.isPolicyDenial() ? "egress_denied" : ErrorResponses.errorFor(d).type());
            g.writeStringField("reason", r.code());
            if (asked.host() != null) {
                g.writeStringField("host", asked.host());
            }
            if (asked.port() != null) {
                g.writeNumberField("port", asked.port());
            }
            if (asked.identity() != null) {
                g.writeStringField("identity", asked.identity());
            }
            if (d.rule().isPresent()) {
                g.writeStringField("rule", d.rule().get());
            }
            g.writeStringField("message", d.message().orElse(r.description()));
            g.writeStringField("hint", hint(r, asked));
            g.writeEndObject();
        }) + "\n";
    }

    /** What would change the answer, in the words of the one who can change it. */
    static String hint(Reason r, Asked asked) {
        String who = asked.identity() == null ? "this client" : "identity " + asked.identity();
        String where = asked.host() == null ? "the destination" : asked.host() + (asked.port() == null ? "" : ":" + asked.port());
        switch (r) {
            case DEST_NOT_ALLOWED:
                return "Not on the list of destinations " + who + " may reach. Only an operator can add " + where
                        + " to its allow list in the proxy policy; retrying will not help.";
            case DEST_DENIED:
                return "A deny pattern of " + who + " names this host. Only an operator can change that; retrying will not help.";
            case APPROVAL_DENIED:
                return "The operator's approver refused " + where + " for " + who + ". Do not retry; ask a person.";
            case APPROVAL_TIMEOUT:
            case APPROVAL_ERROR:
                return "The approver could not be asked. It may answer later; an operator can add " + where + " to the allow list.";
            case HOST_BLOCKED_NAME:
                return "The name is blocked by the proxy's built-in or operator host rules. An operator can open a local "
                        + "service with an allow rule naming the host and its ports.";
            case HOST_LEGACY_IPV4_LITERAL:
                return "Write the address in dotted-decimal form (for example 127.0.0.1), not octal, hex or integer.";
            case PORT_NOT_ALLOWED:
                return "The proxy policy's ports list does not include this port.";
            case CLIENT_AUTH_REQUIRED:
            case CLIENT_AUTH_FAILED:
                return "Send Proxy-Authorization with the Basic credentials of a proxy user.";
            default:
                break;
        }
        switch (r.kind()) {
            case ADDRESS:
                return "The destination's address is in denied space (loopback, private, link-local, metadata or special-use). "
                        + "Destination rules cannot open it; only an allow rule (cidr and ports) in the proxy policy can.";
            case RESOLUTION:
                return "The proxy could not resolve the name. Check the spelling; the proxy resolves names itself.";
            case REQUEST:
                return "The request is malformed or ambiguous; fix the client. Nothing was sent on.";
            case CAPACITY:
                return "The proxy is busy or shutting down; retry after the Retry-After seconds.";
            default:
                return "The proxy refused to fail closed; an operator should look at its logs.";
        }
    }
}
