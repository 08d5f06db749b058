package dev.egressguard.cli;

import dev.egressguard.config.EffectivePolicyYaml;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.policy.DestinationPattern;
import dev.egressguard.core.policy.Identities;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns an {@link AuditTally} into a {@code destinations} block that allows what was seen, per
 * identity, with {@code default: deny}:
 * <ul>
 *   <li>a name seen only on ports 80 and 443 is written without a port (every port); a name seen on
 *       any other port gets one entry per port seen;
 *   <li>{@code wildcardAt} or more names with the same parent (the name without its first label)
 *       and the same port become {@code *.parent}, unless the parent is a top-level domain or a
 *       common second-level public suffix ({@code co.uk}, {@code com.au}, …);
 *   <li>counts are comments; destinations the denylist denied are comments, never allows.
 * </ul>
 */
final class DestinationsSuggestion {
    private static final Set<String> SECOND_LEVEL = Set.of("co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "mil");
    private static final int MAX_DENIED_SHOWN = 50;
    private static final int MAX_NAMES_SHOWN = 5;

    /** One allow pattern and what it covers. */
    private record Entry(String pattern, long requests, List<String> names) {}

    private DestinationsSuggestion() {}

    static String render(AuditTally tally, int wildcardAt) {
        StringBuilder y = new StringBuilder();
        Map<String, AuditTally.PerIdentity> ids = new TreeMap<>(Comparator.comparing((String n) -> !n.equals(Identities.DEFAULT))
                .thenComparing(Comparator.naturalOrder()));
        ids.putAll(tally.identities());
        if (ids.isEmpty()) {
            return y.append("destinations: {}   # no allowed or denied destinations in the logs\n").toString();
        }
        y.append("destinations:\n");
        for (Map.Entry<String, AuditTally.PerIdentity> e : ids.entrySet()) {
            identity(y, e.getKey(), e.getValue(), wildcardAt, tally.maxPerIdentity());
        }
        return y.toString();
    }

    private static void identity(StringBuilder y, String name, AuditTally.PerIdentity t, int wildcardAt, int maxPerIdentity) {
        y.append("  ").append(EffectivePolicyYaml.scalar(name)).append(":\n");
        y.append("    default: deny   # anything not listed; ask instead has the approver decide\n");
        List<Entry> entries = entries(t.allowed, wildcardAt);
        if (entries.isEmpty()) {
            y.append("    allow: []\n");
        } else {
            y.append("    allow:\n");
            int width = entries.stream().mapToInt(en -> EffectivePolicyYaml.scalar(en.pattern()).length()).max().orElse(0);
            for (Entry en : entries) {
                String item = EffectivePolicyYaml.scalar(en.pattern());
                y.append("      - ").append(item).append(" ".repeat(width - item.length())).append("   # ").append(requests(en.requests()));
                if (en.names().size() > 1) {
                    y.append(" to ").append(en.names().size()).append(" names: ")
                            .append(String.join(", ", en.names().subList(0, Math.min(MAX_NAMES_SHOWN, en.names().size()))))
                            .append(en.names().size() > MAX_NAMES_SHOWN ? ", …" : "");
                }
                y.append('\n');
            }
        }
        List<Map.Entry<AuditTally.Denied, long[]>> denied = new ArrayList<>(t.denied.entrySet());
        denied.sort(Comparator.comparing((Map.Entry<AuditTally.Denied, long[]> d) -> -d.getValue()[0])
                .thenComparing(d -> d.getKey().toString()));
        for (int i = 0; i < Math.min(MAX_DENIED_SHOWN, denied.size()); i++) {
            AuditTally.Denied d = denied.get(i).getKey();
            y.append("    # denied by the denylist, never suggested: ").append(hostPort(d.host(), d.port()))
                    .append(" (").append(oneLine(d.reason())).append(") ×").append(denied.get(i).getValue()[0]).append('\n');
        }
        if (denied.size() > MAX_DENIED_SHOWN) {
            y.append("    # … and ").append(denied.size() - MAX_DENIED_SHOWN).append(" more destinations the denylist denied\n");
        }
        if (t.untallied > 0) {
            y.append("    # note: more destinations than the bound (").append(maxPerIdentity)
                    .append(" per identity); ").append(requests(t.untallied)).append(" to others were not tallied (raise --max-destinations)\n");
        }
    }

    /** The allow entries, most requested first. */
    private static List<Entry> entries(Map<AuditTally.Target, long[]> allowed, int wildcardAt) {
        // per host: the ports seen and the requests
        Map<String, Map<Integer, Long>> byHost = new TreeMap<>();
        allowed.forEach((target, n) -> byHost.computeIfAbsent(target.host(), h -> new TreeMap<>()).merge(target.port(), n[0], Long::sum));
        // per (host, port-or-0): 0 stands for "no port" (seen on 80/443 only)
        Map<String, Map<Integer, Long>> written = new TreeMap<>();
        byHost.forEach((host, ports) -> {
            boolean standard = ports.keySet().stream().allMatch(p -> p == 0 || p == 80 || p == 443);
            if (standard) {
                written.computeIfAbsent(host, h -> new TreeMap<>()).put(0, ports.values().stream().mapToLong(Long::longValue).sum());
            } else {
                ports.forEach((p, n) -> written.computeIfAbsent(host, h -> new TreeMap<>()).merge(p, n, Long::sum));
            }
        });
        // group names by (parent, port)
        Map<String, List<String>> groups = new HashMap<>();
        written.forEach((host, ports) -> ports.keySet().forEach(p -> {
            String parent = parent(host);
            if (parent != null) {
                groups.computeIfAbsent(parent + "\n" + p, k -> new ArrayList<>()).add(host);
            }
        }));
        List<Entry> out = new ArrayList<>();
        Set<String> grouped = new TreeSet<>();
        groups.forEach((key, names) -> {
            if (names.size() < wildcardAt) {
                return;
            }
            String parent = key.substring(0, key.indexOf('\n'));
            int port = Integer.parseInt(key.substring(key.indexOf('\n') + 1));
            long requests = names.stream().mapToLong(h -> written.get(h).get(port)).sum();
            names.sort(Comparator.naturalOrder());
            out.add(new Entry(pattern("*." + parent, port), requests, names));
            names.forEach(h -> grouped.add(h + "\n" + port));
        });
        written.forEach((host, ports) -> ports.forEach((p, n) -> {
            if (!grouped.contains(host + "\n" + p)) {
                out.add(new Entry(pattern(host, p), n, List.of(host)));
            }
        }));
        out.sort(Comparator.comparingLong((Entry en) -> -en.requests()).thenComparing(Entry::pattern));
        return out;
    }

    /** The name without its first label, when names under it may share a wildcard; null otherwise. */
    static String parent(String host) {
        if (IpLiterals.tryParse(host).isPresent()) {
            return null;
        }
        int dot = host.indexOf('.');
        if (dot < 0) {
            return null;
        }
        String parent = host.substring(dot + 1);
        String[] labels = parent.split("\\.");
        if (labels.length < 2) {
            return null; // a top-level domain
        }
        if (labels.length == 2 && labels[1].length() == 2 && SECOND_LEVEL.contains(labels[0])) {
            return null; // co.uk, com.au, ...: registries, not one owner
        }
        return parent;
    }

    /** The canonical pattern text for a host (name or IP) and port (0: none). */
    private static String pattern(String host, int port) {
        return DestinationPattern.parse(port == 0 ? host : hostPort(host, port)).toString();
    }

    private static String hostPort(String host, int port) {
        String h = Hostnames.bracketIpv6(host);
        return port == 0 ? h : h + ":" + port;
    }

    private static String requests(long n) {
        return n + (n == 1 ? " request" : " requests");
    }

    /** Reason codes come from the log: kept to one plain line. */
    private static String oneLine(String s) {
        return s.codePoints().filter(c -> c >= 0x20 && c < 0x7f).limit(64)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    static String summary(Map<String, long[]> skipped) {
        return skipped.entrySet().stream().sorted(Comparator.comparing((Map.Entry<String, long[]> e) -> -e.getValue()[0]))
                .map(e -> oneLine(e.getKey()) + " ×" + e.getValue()[0]).collect(Collectors.joining(", "));
    }
}
