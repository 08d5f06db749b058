package dev.egressguard.core.tls;

/**
 * How a CONNECT tunnel to an allowed destination is carried: a plain relay (the policy has no
 * {@code tls} block), a relay once the ClientHello's SNI, if any, names the CONNECT host
 * ({@link Passthrough}), or terminated by the proxy and checked request by request
 * ({@link Intercept}).
 */
public sealed interface TunnelMode permits TunnelMode.Plain, TunnelMode.Passthrough, TunnelMode.Intercept {
    /** The relay as it always was: no handler is added. */
    record Plain() implements TunnelMode {}

    /**
     * Relayed untouched after the SNI check.
     *
     * @param rule the passthrough pattern that named the host ({@code tls.passthrough[0]:*.pinned.example}), or null when
     *             the host is simply not intercepted
     */
    record Passthrough(String rule) implements TunnelMode {}

    /** Terminated with a minted certificate; every request inside meets {@code entry}'s rules. */
    record Intercept(InterceptEntry entry) implements TunnelMode {}

    TunnelMode PLAIN = new Plain();
    TunnelMode NOT_INTERCEPTED = new Passthrough(null);
}
