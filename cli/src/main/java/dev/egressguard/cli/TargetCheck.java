package dev.egressguard.cli;

import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.Resolver;
import dev.egressguard.core.net.TargetUrl;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.DestinationDecision;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.policy.HostCheck;
import dev.egressguard.core.policy.Policy;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.server.BlockingResolver;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Explains one target against a policy: reads it (IP literal, hostname, host:port, or an
 * http/https/ws/wss URL read the way browsers read URLs), applies the host rules, resolves when
 * asked to, and decides the answer set.
 */
final class TargetCheck {
    /**
     * What {@code check} reports for one target.
     *
     * @param asking the identity's destination rule that asks the approver, when one does (the
     *               decision then says what follows an approval)
     */
    record Result(String input, String host, int port, Decision decision, List<IpAddress> addresses, DestinationDecision asking) {
        Result(String input, String host, int port, Decision decision, List<IpAddress> addresses) {
            this(input, host, port, decision, addresses, null);
        }

        /** {@code ask} when the approver decides, else the decision's verdict. */
        String verdictCode() {
            return asking != null ? "ask" : decision.verdict().code();
        }

        /** Traffic goes through without anyone being asked. */
        boolean passes() {
            return asking == null && decision.permitsTraffic();
        }
    }

    private final Policy policy;
    private final DestinationPolicy destinations;
    private final String identity;
    private final Optional<Resolver> resolver;

    /** {@code resolver} empty means {@code --no-resolve}; {@code identity} is whose destination rules apply. */
    TargetCheck(Policy policy, DestinationPolicy destinations, String identity, Optional<Resolver> resolver) {
        this.policy = policy;
        this.destinations = destinations;
        this.identity = identity;
        this.resolver = resolver;
    }

    Result check(String input) {
        String text = input.strip();
        String host;
        int port;
        if (looksLikeUrl(text)) {
            TargetUrl.Result parsed = TargetUrl.parse(text);
            if (parsed.url().isEmpty()) {
                Reason reason = parsed.problem().orElseThrow() == TargetUrl.Problem.UNSUPPORTED_SCHEME
                        ? Reason.URL_UNSUPPORTED_SCHEME : Reason.URL_INVALID;
                return new Result(input, null, HostPort.NO_PORT, Decision.deny(reason), List.of());
            }
            host = parsed.url().get().host();
            port = parsed.url().get().port();
        } else {
            Optional<HostPort> hp = HostPort.tryParseLenient(text);
            if (hp.isEmpty()) {
                return new Result(input, null, HostPort.NO_PORT, Decision.deny(Reason.HOST_INVALID), List.of());
            }
            host = hp.get().host();
            port = hp.get().port();
        }
        HostCheck hostCheck = policy.checkHost(host, port, destinations, identity);
        DestinationDecision asking = null;
        if (hostCheck instanceof HostCheck.Ask) {
            asking = ((HostCheck.Ask) hostCheck).asking();
            hostCheck = ((HostCheck.Ask) hostCheck).then(); // what an approval leads to
        }
        Result r = decide(input, host, port, hostCheck);
        return asking == null ? r : new Result(r.input(), r.host(), r.port(), r.decision(), r.addresses(), asking);
    }

    /** After the host and destination rules: a literal's decision, or the name resolved and every answer decided. */
    private Result decide(String input, String host, int port, HostCheck hostCheck) {
        String shown = hostCheck.destination().map(d -> d.host()).orElse(host);
        if (hostCheck instanceof HostCheck.Decided) {
            List<IpAddress> checked = hostCheck.destination().flatMap(d -> d.literal()).map(List::of).orElse(List.of());
            return new Result(input, shown, port, ((HostCheck.Decided) hostCheck).decision(), checked);
        }
        HostCheck.Pending pending = (HostCheck.Pending) hostCheck;
        if (resolver.isEmpty()) {
            return new Result(input, shown, port, pending.provisional(), List.of());
        }
        List<IpAddress> answers;
        try {
            answers = resolver.get().resolve(shown);
        } catch (UnknownHostException e) {
            // the proxy's own answer to the failure (dns.error or dns.timeout), when its resolver failed
            Decision failed = e instanceof BlockingResolver.LookupFailedException
                    ? ((BlockingResolver.LookupFailedException) e).decision() : Decision.deny(Reason.DNS_ERROR);
            return new Result(input, shown, port, failed, List.of());
        }
        return new Result(input, shown, port, policy.decide(pending, answers), answers);
    }

    /**
     * A URL when it names a scheme followed by {@code //}, or starts with one of the web schemes;
     * {@code localhost:8080} and {@code example.com:443} stay host:port.
     */
    static boolean looksLikeUrl(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        return TargetUrl.looksLikeUrl(text) || lower.startsWith("http:") || lower.startsWith("https:")
                || lower.startsWith("ws:") || lower.startsWith("wss:");
    }
}
