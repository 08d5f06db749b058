package dev.egressguard.server.tls;

/** The policy's TLS interception cannot be set up (a CA key that does not fit, a caCertOut that cannot be written, a reload the CA cannot sign for). */
public final class TlsSetupException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }

    public TlsSetupException(String message) {
        super(message);
    }
}
