package dev.egressguard.core.policy;

import dev.egressguard.core.net.IpAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The policy's identities in file order. {@link #identify} gives the first that matches a
 * connection, or {@link #DEFAULT} when none does.
 */
public final class Identities {
    /** The identity of connections no identity matches (and the {@code destinations} key for them). */
    public static final String DEFAULT = "default";
    private static final Identities NONE = new Identities(List.of());

    private final List<Identity> all;

    private Identities(List<Identity> all) {
        this.all = all;
    }

    /** Identities in order; names must be unique. */
    public static Identities of(List<Identity> identities) {
        Set<String> names = new HashSet<>();
        for (Identity i : identities) {
            if (!names.add(i.name())) {
                throw new IllegalArgumentException("identities: \"" + i.name() + "\" (expected: each name once)");
            }
        }
        return identities.isEmpty() ? NONE : new Identities(List.copyOf(identities));
    }

    /** No identities: every connection is {@code default}. */
    public static Identities none() {
        return NONE;
    }

    /**
     * The name of the first identity matching a connection of {@code user} (empty when the
     * connection has none) from {@code client} (null when unknown); {@link #DEFAULT} when none does.
     */
    public String identify(Optional<String> user, IpAddress client) {
        Objects.requireNonNull(user, "user");
        for (Identity i : all) {
            if (i.matches(user, client)) {
                return i.name();
            }
        }
        return DEFAULT;
    }

    public Optional<Identity> named(String name) {
        return all.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    public List<Identity> all() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }
}
