package dev.egressguard.core.tls;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpLiterals;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which CONNECT tunnels the proxy terminates: the {@code tls} block's entries and those under each
 * {@code destinations} entry. For a connection whose identity gets destinations entry {@code E},
 * {@code E}'s passthrough and intercept entries are read first, then the {@code tls} block's; the
 * first that names the host decides. A host none names is not intercepted. Without any {@code tls}
 * configuration every tunnel is {@link TunnelMode#PLAIN}, exactly as before; with one, every
 * tunnel that is not intercepted gets the SNI check.
 */
public final class TunnelPolicy {
    /** The client's own credential headers, always removed from intercepted requests (the operator may name more). */
    public static final List<String> CREDENTIAL_HEADERS = List.of("authorization", "proxy-authorization", "cookie", "x-api-key");

    private static final TunnelPolicy NONE = new TunnelPolicy(false, TlsRules.NONE, Map.of(), List.of());

    private final boolean configured;
    private final TlsRules global;
    private final Map<String, TlsRules> byEntry;
    private final List<String> stripHeaders;

    private TunnelPolicy(boolean configured, TlsRules global, Map<String, TlsRules> byEntry, List<String> stripHeaders) {
        this.configured = configured;
        this.global = global;
        this.byEntry = Map.copyOf(byEntry);
        Set<String> strip = new LinkedHashSet<>(CREDENTIAL_HEADERS);
        stripHeaders.forEach(h -> strip.add(h.toLowerCase(Locale.ROOT)));
        this.stripHeaders = List.copyOf(strip);
    }

    /** No {@code tls} configuration: every tunnel plain. */
    public static TunnelPolicy none() {
        return NONE;
    }

    /**
     * @param byEntry      the sets under {@code destinations} entries, keyed by entry name (an identity or {@code default})
     * @param stripHeaders the operator's extra credential headers to remove, any case
     */
    public static TunnelPolicy of(TlsRules global, Map<String, TlsRules> byEntry, List<String> stripHeaders) {
        return new TunnelPolicy(true, global, byEntry, stripHeaders);
    }

    /** True when the policy configures TLS at all (then tunnels that are not intercepted get the SNI check). */
    public boolean isConfigured() {
        return configured;
    }

    /**
     * The mode for a tunnel to {@code host:port} of a connection whose destinations entry is
     * {@code entry} (empty when the policy has none for it).
     */
    public TunnelMode modeFor(Optional<String> entry, String host, int port) {
        if (!configured) {
            return TunnelMode.PLAIN;
        }
        String canonical = Hostnames.canonicalize(host).orElse(host);
        var literal = IpLiterals.tryParse(canonical).orElse(null);
        Optional<TunnelMode> own = entry.map(byEntry::get).flatMap(r -> r.modeFor(canonical, literal, port));
        return own.or(() -> global.modeFor(canonical, literal, port)).orElse(TunnelMode.NOT_INTERCEPTED);
    }

    public TlsRules global() {
        return global;
    }

    /** The sets under {@code destinations} entries, keyed by entry name. */
    public Map<String, TlsRules> byEntry() {
        return byEntry;
    }

    /** Every intercept entry, the {@code tls} block's first. */
    public List<InterceptEntry> interceptEntries() {
        List<InterceptEntry> all = new ArrayList<>(global.intercept());
        byEntry.values().forEach(r -> all.addAll(r.intercept()));
        return all;
    }

    /** The headers removed from every intercepted request, lowercase: {@link #CREDENTIAL_HEADERS} and the operator's. */
    public List<String> strippedHeaders() {
        return stripHeaders;
    }
}
