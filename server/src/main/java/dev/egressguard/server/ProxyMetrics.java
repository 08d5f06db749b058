package dev.egressguard.server;

import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.policy.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's counters, gauges and latency histograms, rendered in the Prometheus text format, and
 * the most recent denials for the status page. Updated from event loops: counters are
 * {@link LongAdder}s, nothing blocks but the short lock around the denial ring.
 */
public final class ProxyMetrics {
    /** Latency bucket upper bounds, seconds. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final int RECENT_DENIALS = 50;

    /** One denial, as the status page lists it. */
    public record Denial(Instant at, String mode, String host, int port, String reason, String rule) {}

    /** What a decision is counted by: the identity (a policy name), the mode, the verdict, the reason. */
    private record DecisionKey(String identity, String mode, Verdict verdict, Reason reason) {}

    private final Map<DecisionKey, LongAdder> decisions = new ConcurrentHashMap<>();
    private final IdentityStats identities = new IdentityStats();
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();
    private final AtomicLong activeConnections = new AtomicLong();
    private final AtomicLong activeTunnels = new AtomicLong();
    private final LongAdder connectionsRefused = new LongAdder();
    private final Histogram dnsLatency = new Histogram();
    private final Histogram connectLatency = new Histogram();
    private final AtomicLong policyGeneration = new AtomicLong(1);
    private final LongAdder reloads = new LongAdder();
    private final LongAdder reloadFailures = new LongAdder();
    private final ArrayDeque<Denial> denials = new ArrayDeque<>(RECENT_DENIALS);
    private final Instant started = Instant.now();

    void decision(String identity, String mode, Verdict verdict, Reason reason, String destination) {
        String who = identity == null ? IdentityStats.UNIDENTIFIED : identity;
        decisions.computeIfAbsent(new DecisionKey(who, mode == null ? "none" : mode, verdict, reason), k -> new LongAdder()).increment();
        identities.decided(who, verdict, destination);
    }

    void approvalStarted(String identity) {
        identities.approvalStarted(identity);
    }

    void approvalEnded(String identity) {
        identities.approvalEnded(identity);
    }

    /** Per identity: allowed, denied, would-deny, approvals in flight, the most denied destinations. */
    public List<IdentityStats.Row> identities() {
        return identities.rows(10);
    }

    void denied(Denial d) {
        synchronized (denials) {
            if (denials.size() == RECENT_DENIALS) {
                denials.removeFirst();
            }
            denials.addLast(d);
        }
    }

    void bytes(long up, long down) {
        bytesUp.add(up);
        bytesDown.add(down);
    }

    void connectionOpened() {
        activeConnections.incrementAndGet();
    }

    void connectionClosed() {
        activeConnections.decrementAndGet();
    }

    void connectionRefused() {
        connectionsRefused.increment();
    }

    void tunnelOpened() {
        activeTunnels.incrementAndGet();
    }

    void tunnelClosed() {
        activeTunnels.decrementAndGet();
    }

    void dnsLatency(long nanos) {
        dnsLatency.observe(nanos);
    }

    void connectLatency(long nanos) {
        connectLatency.observe(nanos);
    }

    void policyGeneration(long generation) {
        reloads.increment();
        policyGeneration.set(generation);
    }

    void reloadFailed() {
        reloadFailures.increment();
    }

    public long policyGeneration() {
        return policyGeneration.get();
    }

    public long activeConnections() {
        return activeConnections.get();
    }

    public long activeTunnels() {
        return activeTunnels.get();
    }

    public long reloadFailures() {
        return reloadFailures.sum();
    }

    public Duration uptime() {
        return Duration.between(started, Instant.now());
    }

    /** Decision counts by {@code verdict reason}, e.g. {@code deny ip.metadata} → 3. */
    public Map<String, Long> decisionsByVerdictAndReason() {
        Map<String, Long> out = new TreeMap<>();
        decisions.forEach((k, v) -> out.merge(k.verdict().code() + " " + k.reason().code(), v.sum(), Long::sum));
        return out;
    }

    /** The latest denials, newest first. */
    public List<Denial> recentDenials() {
        List<Denial> out;
        synchronized (denials) {
            out = new ArrayList<>(denials);
        }
        Collections.reverse(out);
        return out;
    }

    /** The Prometheus text exposition format, version 0.0.4. */
    public String prometheus() {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("# HELP egressguard_decisions_total Requests and tunnels decided, by identity, mode, verdict and reason code.\n");
        sb.append("# TYPE egressguard_decisions_total counter\n");
        decisions.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(DecisionKey::identity).thenComparing(DecisionKey::mode)
                        .thenComparing(DecisionKey::verdict).thenComparing(DecisionKey::reason)))
                .forEach(e -> sb.append("egressguard_decisions_total{identity=\"").append(e.getKey().identity())
                        .append("\",mode=\"").append(e.getKey().mode()).append("\",verdict=\"").append(e.getKey().verdict().code())
                        .append("\",reason=\"").append(e.getKey().reason().code()).append("\"} ").append(e.getValue().sum()).append('\n'));
        sb.append("# HELP egressguard_approvals_pending Approvals in flight, by identity.\n# TYPE egressguard_approvals_pending gauge\n");
        identities.rows(0).forEach(r -> sb.append("egressguard_approvals_pending{identity=\"").append(r.identity()).append("\"} ")
                .append(r.pendingApprovals()).append('\n'));
        counter(sb, "egressguard_bytes_up_total", "Bytes read from clients.", bytesUp.sum());
        counter(sb, "egressguard_bytes_down_total", "Bytes written to clients.", bytesDown.sum());
        gauge(sb, "egressguard_active_connections", "Client connections open now.", activeConnections.get());
        gauge(sb, "egressguard_active_tunnels", "CONNECT and WebSocket tunnels open now.", activeTunnels.get());
        counter(sb, "egressguard_connections_refused_total", "Client connections refused by clients.allow or the connection limits.",
                connectionsRefused.sum());
        dnsLatency.render(sb, "egressguard_dns_seconds", "Time to resolve a destination name.");
        connectLatency.render(sb, "egressguard_connect_seconds", "Time to connect to a vetted upstream address.");
        gauge(sb, "egressguard_policy_generation", "The policy generation in force (1 at start, +1 per successful reload).",
                policyGeneration.get());
        counter(sb, "egressguard_policy_reloads_total", "Successful policy reloads.", reloads.sum());
        counter(sb, "egressguard_policy_reload_failures_total", "Policy reloads refused because the new file was invalid.", reloadFailures.sum());
        gauge(sb, "egressguard_uptime_seconds", "Seconds since the proxy started.", uptime().toSeconds());
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    /** A fixed-bucket latency histogram. */
    static final class Histogram {
        private final LongAdder[] counts = new LongAdder[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(long nanos) {
            double seconds = nanos / 1e9;
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    counts[i].increment();
                    break;
                }
            }
            count.increment();
            sumNanos.add(nanos);
        }

        void render(StringBuilder sb, String name, String help) {
            sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts[i].sum();
                sb.append(name).append("_bucket{le=\"").append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
            }
            long total = count.sum();
            sb.append(name).append("_bucket{le=\"+Inf\"} ").append(total).append('\n');
            sb.append(name).append("_sum ").append(sumNanos.sum() / 1e9).append('\n');
            sb.append(name).append("_count ").append(total).append('\n');
        }
    }
}
