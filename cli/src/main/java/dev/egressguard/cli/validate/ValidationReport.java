package dev.egressguard.cli.validate;

import dev.egressguard.server.audit.JsonGenerators;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a run: every result in catalog order, printed as a table grouped like the spec's
 * table with a summary line, or as one JSON object.
 *
 * @param proxy   the proxy URL as the operator gave it (credentials never shown)
 * @param notSent how many catalog probes the scope left out
 */
public record ValidationReport(String proxy, Scope scope, long timeoutMillis, int notSent, List<ProbeResult> results) {
    private static final String[] HEADINGS = {"DESTINATION", "FORM", "METHOD", "RESULT", "STATUS", "PROXY-STATUS / REASON", "DETAIL"};

    public ValidationReport {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(scope, "scope");
        results = List.copyOf(results);
    }

    public long count(ProbeVerdict v) {
        return results.stream().filter(r -> r.verdict() == v).count();
    }

    public boolean hasLeak() {
        return count(ProbeVerdict.LEAK) > 0;
    }

    /** A probe that had to be proven and was not (a public URL that was refused counts). */
    public boolean hasUnproven() {
        return count(ProbeVerdict.NOT_PROVEN) > 0;
    }

    /** {@code N blocked, N leaks, N not proven, N skipped}, and the passes when there are any. */
    public String summary() {
        String s = count(ProbeVerdict.BLOCKED) + " blocked, " + count(ProbeVerdict.LEAK) + " leaks, " + count(ProbeVerdict.NOT_PROVEN) + " not proven, "
                + count(ProbeVerdict.SKIPPED) + " skipped";
        return count(ProbeVerdict.PASSED) > 0 ? s + ", " + count(ProbeVerdict.PASSED) + " passed" : s;
    }

    public String toText() {
        List<String[]> rows = new ArrayList<>();
        for (ProbeResult r : results) {
            rows.add(row(r));
        }
        int[] width = new int[HEADINGS.length - 1];
        for (int i = 0; i < width.length; i++) {
            width[i] = HEADINGS[i].length();
            for (String[] row : rows) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("egressguard validate: proxy ").append(proxy).append(", scope ").append(scope.code())
                .append(", timeout ").append(timeoutMillis).append(" ms\n");
        if (notSent > 0) {
            out.append("scope loopback: ").append(notSent).append(" probes of destinations off this machine were not sent (--scope all sends them)\n");
        }
        ProbeGroup current = null;
        for (int i = 0; i < results.size(); i++) {
            ProbeGroup g = results.get(i).probe().group();
            if (g != current) {
                current = g;
                out.append('\n').append(g.title()).append("  (").append(g.why()).append(")\n");
                line(out, HEADINGS, width);
            }
            line(out, rows.get(i), width);
        }
        return out.append('\n').append(summary()).append('\n').toString();
    }

    private static void line(StringBuilder out, String[] cells, int[] width) {
        out.append("  ");
        for (int i = 0; i < width.length; i++) {
            out.append(cells[i]).append(" ".repeat(width[i] - cells[i].length() + 2));
        }
        out.append(cells[cells.length - 1]).append('\n');
    }

    private static String[] row(ProbeResult r) {
        Probe p = r.probe();
        String status = r.answer().map(ProxyAnswer::statusText).orElse("-");
        String reason = r.answer().map(ProxyAnswer::reason).orElse("-");
        return new String[] {p.destination(), p.form(), p.method().name(), r.verdict().label(), status, reason, r.detail()};
    }

    public String toJson() {
        return JsonGenerators.write(g -> {
            g.writeStartObject();
            g.writeStringField("proxy", proxy);
            g.writeStringField("scope", scope.code());
            g.writeNumberField("timeout_ms", timeoutMillis);
            g.writeNumberField("not_sent", notSent);
            g.writeObjectFieldStart("summary");
            for (ProbeVerdict v : ProbeVerdict.values()) {
                g.writeNumberField(v.code(), count(v));
            }
            g.writeEndObject();
            g.writeArrayFieldStart("probes");
            for (ProbeResult r : results) {
                Probe p = r.probe();
                g.writeStartObject();
                g.writeStringField("id", p.id());
                g.writeStringField("group", p.group().title());
                g.writeStringField("destination", p.destination());
                g.writeStringField("form", p.form());
                g.writeStringField("method", p.method().name());
                g.writeStringField("result", r.verdict().code());
                if (r.answer().isPresent() && r.answer().get().status() > 0) {
                    g.writeNumberField("status", r.answer().get().status());
                } else {
                    g.writeNullField("status");
                }
                g.writeStringField("proxy_status", r.answer().flatMap(ProxyAnswer::proxyStatus).orElse(null));
                g.writeStringField("reason", r.answer().map(ProxyAnswer::reason).orElse(null));
                g.writeStringField("detail", r.detail());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
