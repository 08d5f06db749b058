package dev.egressguard.core.policy;

/**
 * Why a decision came out as it did. The {@link #code()} is a stable machine code: it appears in
 * audit events, metrics, {@code Proxy-Status} details and {@code check} output, and never changes
 * once shipped. {@link #description()} is the sentence a person reads.
 */
public enum Reason {
    // allowing reasons
    IP_PUBLIC("ip.public", "the address is not in any denied range", Kind.ALLOWING),
    ALLOW_RULE("allow.rule", "an explicit allow rule opens this destination", Kind.ALLOWING),
    HOST_NOT_RESOLVED("host.not_resolved", "the hostname passes the host rules; its addresses decide once resolved", Kind.ALLOWING),
    HTTP_RULE_ALLOWED("http.rule_allowed", "a rule of the intercepted host allows this method and path", Kind.ALLOWING),

    // address classes
    IP_UNSPECIFIED("ip.unspecified", "the address is unspecified or \"this network\" (0.0.0.0/8, ::)", Kind.ADDRESS),
    IP_LOOPBACK("ip.loopback", "the address is loopback", Kind.ADDRESS),
    IP_PRIVATE("ip.private", "the address is in private network space (RFC 1918)", Kind.ADDRESS),
    IP_CGNAT("ip.cgnat", "the address is in carrier-grade NAT shared space (100.64.0.0/10)", Kind.ADDRESS),
    IP_LINK_LOCAL("ip.link_local", "the address is link-local", Kind.ADDRESS),
    IP_METADATA("ip.metadata", "the address is a cloud metadata service", Kind.ADDRESS),
    IP_BENCHMARK("ip.benchmark", "the address is in a benchmarking range", Kind.ADDRESS),
    IP_DOCUMENTATION("ip.documentation", "the address is in a documentation range", Kind.ADDRESS),
    IP_SPECIAL_USE("ip.special_use", "the address is in a special-purpose range that is not globally reachable", Kind.ADDRESS),
    IP_MULTICAST("ip.multicast", "the address is multicast", Kind.ADDRESS),
    IP_RESERVED("ip.reserved", "the address is reserved (240.0.0.0/4, broadcast)", Kind.ADDRESS),
    IP_UNIQUE_LOCAL("ip.unique_local", "the address is IPv6 unique-local (fc00::/7)", Kind.ADDRESS),
    IP_SITE_LOCAL("ip.site_local", "the address is IPv6 site-local (fec0::/10)", Kind.ADDRESS),
    IP_EMBEDDED_IPV4("ip.embedded_ipv4", "the address embeds an IPv4 address (NAT64, 6to4, Teredo, ISATAP, mapped or compatible)", Kind.ADDRESS),
    IP_DENIED_RANGE("ip.denied_range", "the address is in a range the policy denies (deny.ranges)", Kind.ADDRESS),

    // host rules, before any DNS
    HOST_BLOCKED_NAME("host.blocked_name", "the hostname is blocked", Kind.DESTINATION_RULE),
    HOST_LEGACY_IPV4_LITERAL("host.legacy_ipv4_literal", "the host is a non-canonical IPv4 spelling (octal, hex, short or integer form)", Kind.DESTINATION_RULE),
    HOST_INVALID("host.invalid", "the host is not a valid hostname or IP literal", Kind.REQUEST),
    PORT_NOT_ALLOWED("port.not_allowed", "the destination port is not allowed by the policy", Kind.DESTINATION_RULE),
    URL_INVALID("url.invalid", "the URL cannot be parsed", Kind.REQUEST),
    URL_UNSUPPORTED_SCHEME("url.unsupported_scheme", "the URL scheme is not http, https, ws or wss", Kind.REQUEST),

    // destinations per identity, before any DNS, and the approver they may consult
    DEST_NOT_ALLOWED("dest.not_allowed", "no destination pattern of this identity names the host, and its default is deny", Kind.DESTINATION_RULE),
    DEST_DENIED("dest.denied", "a deny pattern of this identity's destinations names the host", Kind.DESTINATION_RULE),
    APPROVAL_DENIED("approval.denied", "the operator's approver denied this destination", Kind.DESTINATION_RULE),
    APPROVAL_TIMEOUT("approval.timeout", "the operator's approver did not answer within approvals.timeout; denied", Kind.DESTINATION_RULE),
    APPROVAL_REQUIRED("approval.required", "the identity's destinations ask the approver about this host (report mode records it without asking)", Kind.DESTINATION_RULE),
    APPROVAL_ERROR("approval.error", "the operator's approver could not be asked or gave no valid answer; denied to fail closed", Kind.DESTINATION_RULE),

    // TLS interception (docs/tls.md): inside a CONNECT tunnel, after the destination was allowed
    TLS_SNI_MISMATCH("tls.sni_mismatch", "the TLS ClientHello names another host (SNI) than the CONNECT request; the tunnel is closed", Kind.DESTINATION_RULE),
    TLS_CLEARTEXT_REFUSED("tls.cleartext_refused", "the host is intercepted: its requests go over TLS through an HTTP CONNECT, where its rules apply; cleartext, WebSocket and SOCKS5 requests to it are refused", Kind.DESTINATION_RULE),
    HTTP_RULE_DENIED("http.rule_denied", "no rule of the intercepted host allows this method and path, or a deny rule names it", Kind.DESTINATION_RULE),
    HTTP_METHOD_DENIED("http.method_denied", "the method is never let through an intercepted host (TRACE, CONNECT)", Kind.DESTINATION_RULE),
    HTTP_HOST_MISMATCH("http.host_mismatch", "the request in an intercepted tunnel does not have exactly one Host header naming the CONNECT host and port", Kind.REQUEST),
    HTTP_PATH_INVALID("http.path_invalid", "the path in an intercepted tunnel is not a plain origin-form path (dot segments, encoded slashes, backslashes, ';', '//', bad escapes)", Kind.REQUEST),
    TLS_NOT_TLS("tls.not_tls", "an intercepted tunnel did not start with a TLS ClientHello", Kind.REQUEST),
    TLS_CLIENT_REJECTED_CERTIFICATE("tls.client_rejected_certificate", "the client refused the interception certificate, or hung up on seeing it (it does not trust the proxy's CA, or pins certificates); if it must not be intercepted, add the host to tls.passthrough", Kind.REQUEST),
    TLS_ALPN_UNSUPPORTED("tls.alpn_unsupported", "the client offered no protocol an intercepted tunnel speaks (http/1.1 only; an h2-only client needs passthrough)", Kind.REQUEST),
    TLS_HANDSHAKE_FAILED("tls.handshake_failed", "the TLS handshake with the client failed on an intercepted tunnel", Kind.REQUEST),

    // resolution
    DNS_NO_ANSWER("dns.no_answer", "the hostname has no addresses", Kind.RESOLUTION),
    DNS_ERROR("dns.error", "the hostname could not be resolved", Kind.RESOLUTION),
    DNS_TIMEOUT("dns.timeout", "resolving the hostname timed out", Kind.RESOLUTION),

    // the request itself, before any destination is judged
    CLIENT_NOT_ALLOWED("client.not_allowed", "the client's address is not in clients.allow", Kind.CLIENT),
    CLIENT_AUTH_REQUIRED("client.auth_required", "the proxy requires Proxy-Authorization (Basic) credentials", Kind.CLIENT),
    CLIENT_AUTH_FAILED("client.auth_failed", "the Proxy-Authorization credentials are not valid", Kind.CLIENT),
    CLIENT_PROXY_PROTOCOL("client.proxy_protocol", "a trusted load balancer's connection did not start with a valid PROXY protocol header", Kind.CLIENT),

    // limits
    LIMIT_CONNECTIONS("limit.connections", "the proxy has limits.maxConnections client connections open; try again later", Kind.CAPACITY),
    LIMIT_CLIENT_CONNECTIONS("limit.client_connections", "this client has limits.maxConnectionsPerClient connections open", Kind.CAPACITY),
    LIMIT_TUNNELS("limit.tunnels", "the proxy has limits.maxTunnels tunnels open; try again later", Kind.CAPACITY),
    LIMIT_RATE("limit.rate", "this client exceeded limits.requestsPerSecondPerClient", Kind.CAPACITY),
    PROXY_DRAINING("proxy.draining", "the proxy is shutting down and takes no new requests", Kind.CAPACITY),
    REQUEST_INVALID("request.invalid", "the request is malformed or ambiguous and is refused", Kind.REQUEST),
    REQUEST_HEADER_TOO_LARGE("request.header_too_large", "the request head is larger than limits.maxHeaderBytes", Kind.REQUEST),
    REQUEST_VERSION("request.version_not_supported", "the request's HTTP version is not 1.x (a forward proxy speaks HTTP/1.1 to its clients)", Kind.REQUEST),
    REQUEST_TIMEOUT("request.timeout", "the client did not send a complete request head in time", Kind.REQUEST),

    AUDIT_BACKLOG("proxy.audit_backlog", "the audit log is not keeping up; refused until it does, so that nothing passes unaudited", Kind.INTERNAL),
    INTERNAL_ERROR("internal.error", "an internal error occurred; denied to fail closed", Kind.INTERNAL);

    /** What a reason is about: how a listener answers it (403, 400, 502, ...) follows from this, never from the code's text. */
    public enum Kind {
        /** The traffic goes through. */
        ALLOWING,
        /** The destination's address is in denied space. */
        ADDRESS,
        /** A rule about the destination refuses it: a name, a port, a spelling, an identity's destinations, the approver. */
        DESTINATION_RULE,
        /** The name could not be resolved. */
        RESOLUTION,
        /** The request itself is malformed, too large, too slow, or in an unsupported version; or its TLS handshake with an intercepting tunnel failed. */
        REQUEST,
        /** The client is not let in: its address, its credentials, its load balancer's header. */
        CLIENT,
        /** A limit, or the proxy shutting down: try again later. */
        CAPACITY,
        /** The proxy could not decide safely (audit backlog, internal error): refused to fail closed. */
        INTERNAL
    }

    private final String code;
    private final String description;
    private final Kind kind;

    Reason(String code, String description, Kind kind) {
        this.code = code;
        this.description = description;
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** True for the reasons that let traffic through. */
    public boolean isAllowing() {
        return kind == Kind.ALLOWING;
    }

    /**
     * True when the policy refused the destination itself (a 403): a denied address class, a
     * blocked or non-canonical host, a port, a destination rule or the approver's answer — as
     * opposed to a malformed request, a client refused admission, a limit, or a failure.
     */
    public boolean isPolicyDenial() {
        return kind == Kind.ADDRESS || kind == Kind.DESTINATION_RULE;
    }
}
