package dev.egressguard.config;

import dev.egressguard.core.tls.Credential;
import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.core.tls.RequestRule;
import dev.egressguard.core.tls.TlsRules;
import dev.egressguard.core.tls.TunnelPolicy;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code tls} block of the effective policy, and the TLS keys of a {@code destinations} entry.
 * A credential's secret is never rendered: only where it is read from ({@code {env: NAME}},
 * {@code {file: FILE}}), so the output still loads where the secrets can be read.
 */
final class TlsYaml {
    private TlsYaml() {}

    static void render(StringBuilder y, TlsSettings tls) {
        if (!tls.isConfigured()) {
            y.append("# tls: none (no tunnel is intercepted or SNI-checked)\n");
            return;
        }
        y.append("tls:\n");
        y.append("  ca: ").append(tls.ca().isEphemeral() ? "ephemeral   # made in memory at start; the key never touches disk"
                : "{cert: " + EffectivePolicyYaml.quoted(tls.ca().certFile().orElseThrow().toString()) + ", key: "
                        + EffectivePolicyYaml.quoted(tls.ca().keyFile().orElseThrow().toString()) + "}").append('\n');
        tls.caCertOut().ifPresent(p -> y.append("  caCertOut: ").append(EffectivePolicyYaml.quoted(p.toString())).append('\n'));
        y.append("  upstreamTrust: ").append(tls.upstreamTrust().stream().map(f -> EffectivePolicyYaml.quoted(f.path().toString()))
                .collect(Collectors.joining(", ", "[", "]"))).append("   # besides the JDK's roots\n");
        List<String> extra = tls.tunnels().strippedHeaders().subList(TunnelPolicy.CREDENTIAL_HEADERS.size(), tls.tunnels().strippedHeaders().size());
        y.append("  stripHeaders: ").append(list(extra)).append("   # besides ").append(String.join(", ", TunnelPolicy.CREDENTIAL_HEADERS)).append('\n');
        rules(y, tls.tunnels().global(), "  ");
    }

    /** The {@code intercept} and {@code passthrough} keys of one set, at {@code indent}. */
    static void rules(StringBuilder y, TlsRules set, String indent) {
        if (!set.intercept().isEmpty()) {
            y.append(indent).append("intercept:\n");
            for (InterceptEntry e : set.intercept()) {
                y.append(indent).append("  - host: ").append(EffectivePolicyYaml.scalar(e.host().toString())).append('\n');
                y.append(indent).append("    rules:").append(e.rules().isEmpty() ? " []   # every request is denied\n" : "\n");
                for (RequestRule r : e.rules()) {
                    y.append(indent).append("      - {").append(r.methods().isEmpty() ? "" : "methods: " + list(r.methods()) + ", ")
                            .append("path: ").append(EffectivePolicyYaml.quoted(r.path().toString())).append(", action: ").append(r.action().code())
                            .append(r.reason().map(m -> ", reason: " + EffectivePolicyYaml.quoted(m)).orElse("")).append("}\n");
                }
                if (e.credential().isPresent()) {
                    Credential c = e.credential().get();
                    int space = c.source().indexOf(' ');
                    y.append(indent).append("    credential:\n");
                    y.append(indent).append("      secret: {").append(c.source(), 0, space).append(": ")
                            .append(EffectivePolicyYaml.quoted(c.source().substring(space + 1))).append("}   # the value is never shown\n");
                    y.append(indent).append("      header: ").append(EffectivePolicyYaml.scalar(c.header())).append('\n');
                    y.append(indent).append("      format: ").append(EffectivePolicyYaml.quoted(c.format())).append('\n');
                }
            }
        }
        if (!set.passthrough().isEmpty()) {
            y.append(indent).append("passthrough: ").append(list(set.passthrough().stream().map(p -> p.pattern().toString())
                    .collect(Collectors.toList()))).append('\n');
        }
    }

    private static String list(List<String> items) {
        return items.stream().map(EffectivePolicyYaml::scalar).collect(Collectors.joining(", ", "[", "]"));
    }
}
