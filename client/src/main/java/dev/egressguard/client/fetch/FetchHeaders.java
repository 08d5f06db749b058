package dev.egressguard.client.fetch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered list of HTTP header fields. Names compare case-insensitively and keep the
 * spelling they were given; a name may repeat. {@link #toString()} names the fields but never
 * prints a value, so that a header set can appear in a log line without leaking a secret.
 */
public final class FetchHeaders {
    private static final FetchHeaders EMPTY = new FetchHeaders(List.of());

    private final List<Field> fields;

    private record Field(String name, String value) {}

    private FetchHeaders(List<Field> fields) {
        this.fields = List.copyOf(fields);
    }

    public static FetchHeaders empty() {
        return EMPTY;
    }

    /** One field per map entry, in the map's iteration order. */
    public static FetchHeaders of(Map<String, String> fields) {
        Builder b = builder();
        fields.forEach(b::add);
        return b.build();
    }

    public static Builder builder() {
        return new Builder(new ArrayList<>());
    }

    public Builder toBuilder() {
        return new Builder(new ArrayList<>(fields));
    }

    /** The first value of {@code name}, if present. */
    public Optional<String> first(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return Optional.of(f.value());
            }
        }
        return Optional.empty();
    }

    /** Every value of {@code name}, in order; empty when absent. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                out.add(f.value());
            }
        }
        return Collections.unmodifiableList(out);
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    /** The distinct names, lowercased, in first-seen order. */
    public Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        fields.forEach(f -> out.add(lower(f.name())));
        return Collections.unmodifiableSet(out);
    }

    public int size() {
        return fields.size();
    }

    /** Calls {@code action} with each field's name (as given) and value, in order. */
    public void forEach(BiConsumer<String, String> action) {
        fields.forEach(f -> action.accept(f.name(), f.value()));
    }

    /** The fields whose lowercased name is not in {@code lowercaseNames}. */
    public FetchHeaders removing(Set<String> lowercaseNames) {
        List<Field> kept = new ArrayList<>();
        fields.stream().filter(f -> !lowercaseNames.contains(lower(f.name()))).forEach(kept::add);
        return kept.size() == fields.size() ? this : new FetchHeaders(kept);
    }

    /** The fields whose lowercased name is in {@code lowercaseNames}. */
    public FetchHeaders retaining(Set<String> lowercaseNames) {
        List<Field> kept = new ArrayList<>();
        fields.stream().filter(f -> lowercaseNames.contains(lower(f.name()))).forEach(kept::add);
        return kept.size() == fields.size() ? this : new FetchHeaders(kept);
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FetchHeaders && ((FetchHeaders) o).fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    /** The names only: header values may be credentials. */
    @Override
    public String toString() {
        return "FetchHeaders" + names();
    }

    /** Collects fields; {@link #build()} gives the immutable value. */
    public static final class Builder {
        private final List<Field> fields;

        private Builder(List<Field> fields) {
            this.fields = fields;
        }

        /**
         * Appends a field.
         *
         * @throws IllegalArgumentException a name that is not an HTTP token, or a value with a
         *                                  control or non-ASCII character (the message names the
         *                                  field, never the value)
         */
        public Builder add(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!isToken(name)) {
                throw new IllegalArgumentException("header name: \"" + name + "\" (expected: an HTTP token)");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c > 0x7e) {
                    throw new IllegalArgumentException("header " + name + ": value has a control or non-ASCII character at index "
                            + i + " (expected: printable ASCII)");
                }
            }
            fields.add(new Field(name, value));
            return this;
        }

        /** Appends a field as received from a server, unchecked. */
        Builder addReceived(String name, String value) {
            fields.add(new Field(name, value));
            return this;
        }

        /** Replaces every field named {@code name} with one field. */
        public Builder set(String name, String value) {
            remove(name);
            return add(name, value);
        }

        public Builder remove(String name) {
            fields.removeIf(f -> f.name().equalsIgnoreCase(name));
            return this;
        }

        public FetchHeaders build() {
            return fields.isEmpty() ? EMPTY : new FetchHeaders(fields);
        }
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
