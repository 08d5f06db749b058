package dev.egressguard.cli.validate;

/** How a probe asks the proxy for its destination. */
public enum ProbeMethod {
    /** An absolute-form {@code GET http://host:port/...}: what plain-HTTP clients send a proxy. */
    GET,
    /** {@code CONNECT host:port}: what HTTPS, wss and raw tunnels use. */
    CONNECT,
    /** An absolute-form {@code GET} with {@code Upgrade: websocket}. */
    WEBSOCKET
}
