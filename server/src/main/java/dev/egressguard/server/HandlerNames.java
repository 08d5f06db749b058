package dev.egressguard.server;

/** Names of pipeline entries, so that removal and replacement go by name, not class. */
final class HandlerNames {
    static final String TRAFFIC = "traffic";
    static final String PROXY_PROTOCOL = "proxy-protocol";
    static final String PROXY_PROTOCOL_DECODER = "proxy-protocol-decoder";
    static final String ADMISSION = "admission";
    static final String HTTP_DECODER = "http-decoder";
    static final String HTTP_ENCODER = "http-encoder";
    static final String FRONTEND = "frontend";
    static final String SOCKS_ENCODER = "socks-encoder";
    static final String SOCKS_DECODER = "socks-decoder";
    static final String UPSTREAM_CODEC = "upstream-codec";
    static final String UPSTREAM_RESPONSE = "upstream-response";
    static final String RELAY = "relay";
    static final String LINGER = "linger";

    private HandlerNames() {}
}
