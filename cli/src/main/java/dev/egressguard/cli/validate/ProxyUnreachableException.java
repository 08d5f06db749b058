package dev.egressguard.cli.validate;

/** The proxy does not accept connections: nothing can be proven. The CLI exits 2. */
public final class ProxyUnreachableException extends RuntimeException {
    public ProxyUnreachableException(String message) {
        super(message);
    }
}
