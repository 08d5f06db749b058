package dev.egressguard.config;

import dev.egressguard.core.net.HostPort;
import java.util.Optional;

/**
 * The admin listener ({@code /metrics}, {@code /healthz}, {@code /readyz}, {@code /policy}, the
 * status page): {@code admin.listen: HOST:PORT}, or {@code off}. Absent from the file, the
 * command's default applies ({@link #DEFAULT_LISTEN} for {@code egressguard proxy}).
 */
public record AdminSettings(Optional<HostPort> listen, boolean off) {
    public static final HostPort DEFAULT_LISTEN = HostPort.of("127.0.0.1", 9090);
    private static final AdminSettings UNSET = new AdminSettings(Optional.empty(), false);

    public static AdminSettings unset() {
        return UNSET;
    }

    public static AdminSettings at(HostPort listen) {
        return new AdminSettings(Optional.of(listen), false);
    }

    public static AdminSettings disabled() {
        return new AdminSettings(Optional.empty(), true);
    }

    /** The address to serve on, with {@code fallback} when the file said nothing; empty when off. */
    public Optional<HostPort> effective(HostPort fallback) {
        return off ? Optional.empty() : Optional.of(listen.orElse(fallback));
    }
}
