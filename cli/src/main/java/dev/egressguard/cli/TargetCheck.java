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
import dev.egressguard.core.policy.DestinationRules;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.tls.InterceptCheck;
import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.core.tls.TunnelMode;
import dev.egressguard.core.tls.TunnelPolicy;
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
    record Result(String input, String host, int port, Decision decision, List<IpAddress> addresses, DestinationDecision asking,
                  TunnelMode tunnel, Inside inside) {
        Result(String input, String host, int port, Decision decision, List<IpAddress> addresses) {
            this(input, host, port, decision, addresses, null, TunnelMode.PLAIN, null);
        }

        /** {@code ask} when the approver decides, else the decision's verdict. */
        String verdictCode() {
            return asking != null ? "ask" : decision.verdict().code();
        }

        /** Traffic goes through without anyone being asked, and so does the request inside an intercepted tunnel. */
        boolean passes() {
            return asking == null && decision.permitsTraffic() && (inside == null || inside.passes());
        }
    }

    /**
     * The request {@code --method} and {@code --path} inside an intercepted tunnel (docs/tls.md).
     *
     * @param entry the intercept entry that applies ({@code tls.intercept[0]})
     */
    record Inside(String entry, String method, String path, InterceptCheck.Verdict verdict) {
        String verdictCode() {
            return verdict.asking() != null ? "ask" : verdict.decision().verdict().code();
        }

        boolean passes() {
            return verdict.asking() == null && verdict.decision().permitsTraffic();
        }
    }

    private final Policy policy;
    private final DestinationPolicy destinations;
    private final String identity;
    private final Optional<Resolver> resolver;
    private final TunnelPolicy tunnels;
    private final String method;
    private final String path;

    /**
     * {@code resolver} empty means {@code --no-resolve}; {@code identity} is whose destination rules
     * apply; {@code method} and {@code path} the request an intercepted tunnel would carry (a URL's
     * own path when {@code path} is null).
     */
    TargetCheck(Policy policy, DestinationPolicy destinations, String identity, Optional<Resolver> resolver, TunnelPolicy tunnels,
                String method, String path) {
        this.policy = policy;
        this.destinations = destinations;
        this.identity = identity;
        this.resolver = resolver;
        this.tunnels = tunnels;
        this.method = method;
        this.path = path;
    }

    Result check(String input) {
        String text = input.strip();
        String host;
        int port;
        String urlPath = null;
        boolean cleartext = false;
        if (looksLikeUrl(text)) {
            TargetUrl.Result parsed = TargetUrl.parse(text);
            if (parsed.url().isEmpty()) {
                Reason reason = parsed.problem().orElseThrow() == TargetUrl.Problem.UNSUPPORTED_SCHEME
                        ? Reason.URL_UNSUPPORTED_SCHEME : Reason.URL_INVALID;
                return new Result(input, null, HostPort.NO_PORT, Decision.deny(reason), List.of());
            }
            host = parsed.url().get().host();
            port = parsed.url().get().port();
            urlPath = parsed.url().get().pathAndQuery();
            cleartext = parsed.url().get().scheme().equals("http") || parsed.url().get().scheme().equals("ws"); // forwarded, not a CONNECT
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
        TunnelMode tunnel = r.host() == null || !r.decision().permitsTraffic() ? TunnelMode.PLAIN
                : tunnels.modeFor(destinations.rulesFor(identity).map(DestinationRules::identity), r.host(), port);
        Inside inside = null;
        if (tunnel instanceof TunnelMode.Intercept && cleartext) { // the proxy refuses it, as it refuses any request an intercepted host's rules cannot see
            Decision refused = Decision.deny(Reason.TLS_CLEARTEXT_REFUSED, ((TunnelMode.Intercept) tunnel).entry().id());
            refused = policy.mode() == EnforcementMode.REPORT ? refused.reportedOnly() : refused;
            return new Result(r.input(), r.host(), r.port(), refused, r.addresses(), asking, TunnelMode.PLAIN, null);
        }
        if (tunnel instanceof TunnelMode.Intercept) {
            InterceptEntry entry = ((TunnelMode.Intercept) tunnel).entry();
            String target = path != null ? path : urlPath != null ? urlPath : "/";
            inside = new Inside(entry.id(), method, target, InterceptCheck.decide(entry, method, target, policy.mode()));
        }
        return new Result(r.input(), r.host(), r.port(), r.decision(), r.addresses(), asking, tunnel, inside);
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
