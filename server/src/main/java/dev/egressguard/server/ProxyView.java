package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;

/** A read-only look at a running proxy, for the admin listener. */
public interface ProxyView {
    ProxyMetrics metrics();

    /** The policy in force (secrets never leave it: users carry only hashes). */
    PolicyFile policy();

    /** Listening and not draining. */
    boolean isReady();

    /** The TLS interception CA's certificate (PEM), when the policy intercepts (docs/tls.md). */
    default java.util.Optional<String> caPem() {
        return java.util.Optional.empty();
    }
}
