package dev.egressguard.server.tls;

/** Names of the pipeline entries TLS tunnels add, so that removal and replacement go by name. */
public final class TlsHandlerNames {
    /** The ClientHello peek (SNI check), first in a tunnel's pipeline. */
    public static final String SNI = "tls-sni";
    /** The server side of an intercepted tunnel, where the peek was. */
    public static final String TLS = "tls";
    static final String REQUEST_DECODER = "tls-http-decoder";
    static final String RESPONSE_ENCODER = "tls-http-encoder";
    static final String EXCHANGE = "tls-exchange";
    static final String UPSTREAM_TLS = "upstream-tls";
    static final String UPSTREAM_CODEC = "upstream-codec";
    static final String UPSTREAM_RESPONSE = "upstream-response";

    private TlsHandlerNames() {}
}
