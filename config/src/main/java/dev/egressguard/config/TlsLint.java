package dev.egressguard.config;

import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.core.tls.TunnelPolicy;
import java.util.List;

/**
 * Warnings about TLS interception that is valid but probably not meant: an intercepted host whose
 * rules deny everything, a wildcard over a whole top-level domain, a CA from files that signs for
 * no host, and an intercepted host without a credential (its requests reach the origin with no
 * credentials at all: the client's own are always removed).
 */
final class TlsLint {
    private TlsLint() {}

    static void lint(PolicyFile file, List<LintWarning> out) {
        TlsSettings tls = file.tls();
        TunnelPolicy tunnels = tls.tunnels();
        for (InterceptEntry e : tunnels.interceptEntries()) {
            if (e.rules().isEmpty()) {
                out.add(new LintWarning(e.id() + ".rules", "no rules: every request to " + e.host() + " is denied (http.rule_denied)"));
            }
            String host = e.host().host().orElseThrow().toString();
            if (host.startsWith("*.") && host.indexOf('.', 2) < 0) {
                out.add(new LintWarning(e.id() + ".host", e.host() + " intercepts every host under a whole top-level domain"));
            }
            if (e.credential().isEmpty()) {
                out.add(new LintWarning(e.id(), "no credential: requests reach " + e.host() + " without any (the client's "
                        + String.join(", ", tunnels.strippedHeaders()) + " headers are always removed); use passthrough for hosts the agent must sign in to itself"));
            }
        }
        if (!tls.ca().isEphemeral() && !tls.intercepts()) {
            out.add(new LintWarning("tls.ca", "no host is intercepted: the CA signs nothing"));
        }
    }
}
