package dev.egressguard.core.policy;

import dev.egressguard.core.net.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may go where: the identities and each one's {@link DestinationRules}. The second layer of a
 * decision, after the host rules and before DNS; the built-in denylist still judges every address
 * afterwards, and no destination rule opens an address it denies.
 *
 * <p>An identity without its own entry gets the {@code default} entry; with no {@code default}
 * entry either (or no {@code destinations} at all), every destination the denylist allows is
 * allowed, as without this layer.
 */
public final class DestinationPolicy {
    private static final DestinationPolicy NONE = new DestinationPolicy(Identities.none(), Map.of());

    private final Identities identities;
    private final Map<String, DestinationRules> rules;

    private DestinationPolicy(Identities identities, Map<String, DestinationRules> rules) {
        this.identities = identities;
        this.rules = rules;
    }

    /** No identities and no rules: everything the denylist allows. */
    public static DestinationPolicy none() {
        return NONE;
    }

    /** Each entry must be for one of {@code identities} or {@link Identities#DEFAULT}, once. */
    public static DestinationPolicy of(Identities identities, List<DestinationRules> entries) {
        Map<String, DestinationRules> byName = new LinkedHashMap<>();
        for (DestinationRules r : entries) {
            if (!r.identity().equals(Identities.DEFAULT) && identities.named(r.identity()).isEmpty()) {
                throw new IllegalArgumentException("destinations: \"" + r.identity() + "\" (expected: an identity name or default)");
            }
            if (byName.put(r.identity(), r) != null) {
                throw new IllegalArgumentException("destinations: \"" + r.identity() + "\" (expected: each identity once)");
            }
        }
        return new DestinationPolicy(identities, java.util.Collections.unmodifiableMap(byName));
    }

    /** The identity of a connection: see {@link Identities#identify}. */
    public String identify(Optional<String> user, IpAddress client) {
        return identities.identify(user, client);
    }

    /** The rules that apply to {@code identity}: its own entry, else the {@code default} entry. */
    public Optional<DestinationRules> rulesFor(String identity) {
        DestinationRules own = rules.get(identity);
        return Optional.ofNullable(own != null ? own : rules.get(Identities.DEFAULT));
    }

    /** The decision for {@code identity} on a destination that passed the host rules. */
    public DestinationDecision decide(String identity, Destination destination) {
        Optional<DestinationRules> r = rulesFor(identity);
        return r.isPresent() ? r.get().evaluate(destination) : DestinationDecision.allow(identity, null, null);
    }

    /** The decision for {@code identity} on a host as written, on {@code port}. */
    public DestinationDecision decide(String identity, String host, int port) {
        Optional<DestinationRules> r = rulesFor(identity);
        return r.isPresent() ? r.get().evaluate(host, port) : DestinationDecision.allow(identity, null, null);
    }

    public Identities identities() {
        return identities;
    }

    /** The entries in file order, keyed by identity name ({@code default} included when present). */
    public Map<String, DestinationRules> entries() {
        return rules;
    }

    /** True when there is no destination rule at all. */
    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** True when some entry can ask the approver. */
    public boolean asks() {
        return rules.values().stream().anyMatch(DestinationRules::asks);
    }

    /** The identity names with no entry of their own (they get the {@code default} entry, if any). */
    public List<String> identitiesWithoutEntry() {
        List<String> out = new ArrayList<>();
        for (Identity i : identities.all()) {
            if (!rules.containsKey(i.name())) {
                out.add(i.name());
            }
        }
        return out;
    }
}
