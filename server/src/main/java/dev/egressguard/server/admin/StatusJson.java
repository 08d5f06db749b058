package dev.egressguard.server.admin;

import dev.egressguard.server.ProxyMetrics;
import dev.egressguard.server.ProxyView;
import dev.egressguard.server.audit.JsonText;
import java.util.Map;

/** The live figures the status page polls: counts, gauges, the latest denials. Destination facts only. */
final class StatusJson {
    private StatusJson() {}

    static String render(ProxyView proxy) {
        ProxyMetrics m = proxy.metrics();
        StringBuilder sb = new StringBuilder(2048);
        sb.append("{\"ready\":").append(proxy.isReady());
        sb.append(",\"uptimeSeconds\":").append(m.uptime().toSeconds());
        sb.append(",\"policySource\":");
        string(sb, proxy.policy().source());
        sb.append(",\"policyGeneration\":").append(m.policyGeneration());
        sb.append(",\"mode\":");
        string(sb, proxy.policy().policy().mode().code());
        sb.append(",\"activeConnections\":").append(m.activeConnections());
        sb.append(",\"activeTunnels\":").append(m.activeTunnels());
        sb.append(",\"reloadFailures\":").append(m.reloadFailures());
        sb.append(",\"decisions\":[");
        boolean first = true;
        for (Map.Entry<String, Long> e : m.decisionsByVerdictAndReason().entrySet()) {
            String[] vr = e.getKey().split(" ", 2);
            sb.append(first ? "" : ",").append("{\"verdict\":");
            string(sb, vr[0]);
            sb.append(",\"reason\":");
            string(sb, vr[1]);
            sb.append(",\"count\":").append(e.getValue()).append('}');
            first = false;
        }
        sb.append("],\"recentDenials\":[");
        first = true;
        for (ProxyMetrics.Denial d : m.recentDenials()) {
            sb.append(first ? "" : ",").append("{\"at\":");
            string(sb, d.at().toString());
            sb.append(",\"mode\":");
            string(sb, d.mode() == null ? "" : d.mode());
            sb.append(",\"host\":");
            string(sb, d.host() == null ? "" : d.host());
            sb.append(",\"port\":").append(d.port()).append(",\"reason\":");
            string(sb, d.reason());
            sb.append(",\"rule\":");
            string(sb, d.rule() == null ? "" : d.rule());
            sb.append('}');
            first = false;
        }
        return sb.append("]}").toString();
    }

    private static void string(StringBuilder sb, String s) {
        JsonText.string(sb, s);
    }
}
