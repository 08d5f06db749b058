package dev.egressguard.server;

import java.net.InetSocketAddress;

/**
 * The last check before a socket is opened to a vetted address. Production uses
 * {@link #NONE}; tests install one that refuses, and fails the test on, any dial outside loopback,
 * so that no bug can make a test send a packet off the machine.
 */
@FunctionalInterface
public interface DialGuard {
    DialGuard NONE = address -> { };

    /** Throws {@link SecurityException} to refuse the dial. */
    void check(InetSocketAddress address);
}
