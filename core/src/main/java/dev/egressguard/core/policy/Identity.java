package dev.egressguard.core.policy;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpRange;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who is asking: a name for the connections of some proxy users and/or some source CIDRs. With
 * both, a connection must match both (alice, from the CI network); with one, that one decides.
 * The name appears in audit events and metric labels, so it is short and plain.
 *
 * @param users   proxy user names ({@code auth.users}); empty: any user, or none
 * @param clients source CIDRs (the client after PROXY protocol); empty: any source
 */
public record Identity(String name, List<String> users, List<IpRange> clients) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public Identity {
        Optional<String> problem = nameProblem(name);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: " + problem.get() + ")");
        }
        users = List.copyOf(users);
        clients = List.copyOf(clients);
        if (users.isEmpty() && clients.isEmpty()) {
            throw new IllegalArgumentException("identity " + name + ": no users and no clients (expected: at least one of them)");
        }
    }

    /** What is wrong with {@code name} as an identity name, phrased as the expectation; empty when valid. */
    public static Optional<String> nameProblem(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.of("a name of letters, digits, '.', '-' and '_' (1..64, starting with a letter or digit)");
        }
        if (name.equals(Identities.DEFAULT)) {
            return Optional.of("another name; \"default\" names the connections no identity matches");
        }
        return Optional.empty();
    }

    /** True when a connection of {@code user} (empty: none) from {@code client} (null: unknown) is this identity's. */
    public boolean matches(Optional<String> user, IpAddress client) {
        Objects.requireNonNull(user, "user");
        if (!users.isEmpty() && (user.isEmpty() || !users.contains(user.get()))) {
            return false;
        }
        if (clients.isEmpty()) {
            return true;
        }
        if (client == null) {
            return false;
        }
        for (IpRange r : clients) {
            if (r.contains(client)) {
                return true;
            }
        }
        return false;
    }
}
