package dev.egressguard.cli.validate;

/** Where a probe's destination would land if the proxy let it through, which decides how it is judged. */
public enum Landing {
    /** On this machine's loopback, where a canary listens: a connection there is a proven leak. */
    CANARY,
    /** Somewhere validate cannot host (private, metadata, ...): judged by what the proxy answers. */
    REMOTE,
    /** A public destination that should pass. */
    PUBLIC
}
