package dev.egressguard.core.policy;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One identity's {@code destinations} entry: deny patterns, allow patterns, ask patterns and a
 * default, evaluated in that order on the normalised host before DNS. Pure and immutable.
 *
 * <p>Rule ids name the entry and the pattern: {@code destinations.coder.deny[0]:gist.github.com},
 * {@code destinations.coder.allow[2]:*.githubusercontent.com}, {@code destinations.coder.default:deny}.
 */
public final class DestinationRules {
    private final String identity;
    private final DestinationAction defaultAction;
    private final List<DestinationPattern> deny;
    private final List<DestinationPattern> allow;
    private final List<DestinationPattern> ask;
    private final String message;
    private final String[] denyIds;
    private final String[] allowIds;
    private final String[] askIds;
    private final String defaultId;

    private DestinationRules(String identity, DestinationAction defaultAction, List<DestinationPattern> deny,
            List<DestinationPattern> allow, List<DestinationPattern> ask, String message) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.defaultAction = Objects.requireNonNull(defaultAction, "defaultAction");
        this.deny = List.copyOf(deny);
        this.allow = List.copyOf(allow);
        this.ask = List.copyOf(ask);
        this.message = message;
        String prefix = "destinations." + identity + ".";
        this.denyIds = ids(prefix + "deny", this.deny);
        this.allowIds = ids(prefix + "allow", this.allow);
        this.askIds = ids(prefix + "ask", this.ask);
        this.defaultId = prefix + "default:" + defaultAction.code();
    }

    /**
     * The entry for {@code identity} (an identity name or {@link Identities#DEFAULT}); {@code message}
     * is shown to the agent on a denial, and may be null.
     */
    public static DestinationRules of(String identity, DestinationAction defaultAction, List<DestinationPattern> deny,
            List<DestinationPattern> allow, List<DestinationPattern> ask, String message) {
        return new DestinationRules(identity, defaultAction, deny, allow, ask, message);
    }

    private static String[] ids(String path, List<DestinationPattern> patterns) {
        String[] out = new String[patterns.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = path + "[" + i + "]:" + patterns.get(i);
        }
        return out;
    }

    /** Evaluates a destination that passed the host rules ({@link Policy#checkHost}). */
    public DestinationDecision evaluate(Destination destination) {
        return evaluate(destination.host(), destination.literal().orElse(null), destination.port());
    }

    /**
     * Evaluates a host as written (normalised here the way {@link Policy#checkHost} does) on
     * {@code port} (0 when unknown). A host that cannot be read is denied {@code host.invalid}.
     */
    public DestinationDecision evaluate(String host, int port) {
        Optional<String> canonical = Hostnames.canonicalize(host);
        if (canonical.isEmpty()) {
            return DestinationDecision.deny(identity, Reason.HOST_INVALID, null, message);
        }
        return evaluate(canonical.get(), IpLiterals.tryParse(canonical.get()).orElse(null), port);
    }

    private DestinationDecision evaluate(String host, IpAddress literal, int port) {
        for (int i = 0; i < deny.size(); i++) {
            if (deny.get(i).matches(host, literal, port)) {
                return DestinationDecision.deny(identity, Reason.DEST_DENIED, denyIds[i], message);
            }
        }
        for (int i = 0; i < allow.size(); i++) {
            if (allow.get(i).matches(host, literal, port)) {
                return DestinationDecision.allow(identity, allowIds[i], message);
            }
        }
        for (int i = 0; i < ask.size(); i++) {
            if (ask.get(i).matches(host, literal, port)) {
                return DestinationDecision.ask(identity, askIds[i], message);
            }
        }
        switch (defaultAction) {
            case ALLOW:
                return DestinationDecision.allow(identity, defaultId, message);
            case ASK:
                return DestinationDecision.ask(identity, defaultId, message);
            default:
                return DestinationDecision.deny(identity, Reason.DEST_NOT_ALLOWED, defaultId, message);
        }
    }

    /** The identity name this entry is for, or {@link Identities#DEFAULT}. */
    public String identity() {
        return identity;
    }

    /** What happens to a host no pattern names. */
    public DestinationAction defaultAction() {
        return defaultAction;
    }

    public List<DestinationPattern> deny() {
        return deny;
    }

    public List<DestinationPattern> allow() {
        return allow;
    }

    public List<DestinationPattern> ask() {
        return ask;
    }

    /** The message shown to the agent on a denial. */
    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    /** True when some destination can end in {@code ask}: an ask pattern, or the default. */
    public boolean asks() {
        return !ask.isEmpty() || defaultAction == DestinationAction.ASK;
    }
}
