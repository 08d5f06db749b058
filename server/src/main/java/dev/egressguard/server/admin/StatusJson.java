package dev.egressguard.server.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.egressguard.server.IdentityStats;
import dev.egressguard.server.ProxyMetrics;
import dev.egressguard.server.ProxyView;
import dev.egressguard.server.audit.JsonGenerators;
import java.io.IOException;
import java.util.Map;

/** The live figures the status page polls: counts, gauges, the latest denials. Destination facts only. */
final class StatusJson {
    private StatusJson() {}

    static String render(ProxyView proxy) {
        return JsonGenerators.write(g -> write(g, proxy));
    }

    private static void write(JsonGenerator g, ProxyView proxy) throws IOException {
        ProxyMetrics m = proxy.metrics();
        g.writeStartObject();
        g.writeBooleanField("ready", proxy.isReady());
        g.writeNumberField("uptimeSeconds", m.uptime().toSeconds());
        g.writeStringField("policySource", proxy.policy().source());
        g.writeNumberField("policyGeneration", m.policyGeneration());
        g.writeStringField("mode", proxy.policy().policy().mode().code());
        g.writeNumberField("activeConnections", m.activeConnections());
        g.writeNumberField("activeTunnels", m.activeTunnels());
        g.writeNumberField("reloadFailures", m.reloadFailures());
        g.writeArrayFieldStart("decisions");
        for (Map.Entry<String, Long> e : m.decisionsByVerdictAndReason().entrySet()) {
            String[] vr = e.getKey().split(" ", 2);
            g.writeStartObject();
            g.writeStringField("verdict", vr[0]);
            g.writeStringField("reason", vr[1]);
            g.writeNumberField("count", e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("identities");
        for (IdentityStats.Row r : m.identities()) {
            g.writeStartObject();
            g.writeStringField("identity", r.identity());
            g.writeNumberField("allowed", r.allowed());
            g.writeNumberField("denied", r.denied());
            g.writeNumberField("wouldDeny", r.wouldDeny());
            g.writeNumberField("pendingApprovals", r.pendingApprovals());
            g.writeArrayFieldStart("topDenied");
            for (Map.Entry<String, Long> d : r.topDenied()) {
                g.writeStartObject();
                g.writeStringField("destination", d.getKey());
                g.writeNumberField("count", d.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("recentDenials");
        for (ProxyMetrics.Denial d : m.recentDenials()) {
            g.writeStartObject();
            g.writeStringField("at", d.at().toString());
            g.writeStringField("mode", d.mode() == null ? "" : d.mode());
            g.writeStringField("host", d.host() == null ? "" : d.host());
            g.writeNumberField("port", d.port());
            g.writeStringField("reason", d.reason());
            g.writeStringField("rule", d.rule() == null ? "" : d.rule());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
