package dev.egressguard.core.policy;

/**
 * Why a decision came out as it did. The {@link #code()} is a stable machine code: it appears in
 * audit events, metrics, {@code Proxy-Status} details and {@code check} output, and never changes
 * once shipped. {@link #description()} is the sentence a person reads.
 */
public enum Reason {
    // allowing reasons
    IP_PUBLIC("ip.public", "the address is not in any denied range"),
    ALLOW_RULE("allow.rule", "an explicit allow rule opens this destination"),
    HOST_NOT_RESOLVED("host.not_resolved", "the hostname passes the host rules; its addresses decide once resolved"),

    // address classes
    IP_UNSPECIFIED("ip.unspecified", "the address is unspecified or \"this network\" (0.0.0.0/8, ::)"),
    IP_LOOPBACK("ip.loopback", "the address is loopback"),
    IP_PRIVATE("ip.private", "the address is in private network space (RFC 1918)"),
    IP_CGNAT("ip.cgnat", "the address is in carrier-grade NAT shared space (100.64.0.0/10)"),
    IP_LINK_LOCAL("ip.link_local", "the address is link-local"),
    IP_METADATA("ip.metadata", "the address is a cloud metadata service"),
    IP_BENCHMARK("ip.benchmark", "the address is in a benchmarking range"),
    IP_DOCUMENTATION("ip.documentation", "the address is in a documentation range"),
    IP_SPECIAL_USE("ip.special_use", "the address is in a special-purpose range that is not globally reachable"),
    IP_MULTICAST("ip.multicast", "the address is multicast"),
    IP_RESERVED("ip.reserved", "the address is reserved (240.0.0.0/4, broadcast)"),
    IP_UNIQUE_LOCAL("ip.unique_local", "the address is IPv6 unique-local (fc00::/7)"),
    IP_SITE_LOCAL("ip.site_local", "the address is IPv6 site-local (fec0::/10)"),
    IP_EMBEDDED_IPV4("ip.embedded_ipv4", "the address embeds an IPv4 address (NAT64, 6to4, Teredo, ISATAP, mapped or compatible)"),
    IP_DENIED_RANGE("ip.denied_range", "the address is in a range the policy denies (deny.ranges)"),

    // host rules, before any DNS
    HOST_BLOCKED_NAME("host.blocked_name", "the hostname is blocked"),
    HOST_LEGACY_IPV4_LITERAL("host.legacy_ipv4_literal", "the host is a non-canonical IPv4 spelling (octal, hex, short or integer form)"),
    HOST_INVALID("host.invalid", "the host is not a valid hostname or IP literal"),
    PORT_NOT_ALLOWED("port.not_allowed", "the destination port is not allowed by the policy"),
    URL_INVALID("url.invalid", "the URL cannot be parsed"),
    URL_UNSUPPORTED_SCHEME("url.unsupported_scheme", "the URL scheme is not http, https, ws or wss"),

    // destinations per identity, before any DNS, and the approver they may consult
    DEST_NOT_ALLOWED("dest.not_allowed", "no destination pattern of this identity names the host, and its default is deny"),
    DEST_DENIED("dest.denied", "a deny pattern of this identity's destinations names the host"),
    APPROVAL_DENIED("approval.denied", "the operator's approver denied this destination"),
    APPROVAL_TIMEOUT("approval.timeout", "the operator's approver did not answer within approvals.timeout; denied"),
    APPROVAL_ERROR("approval.error", "the operator's approver could not be asked or gave no valid answer; denied to fail closed"),

    // resolution
    DNS_NO_ANSWER("dns.no_answer", "the hostname has no addresses"),
    DNS_ERROR("dns.error", "the hostname could not be resolved"),
    DNS_TIMEOUT("dns.timeout", "resolving the hostname timed out"),

    // the request itself, before any destination is judged
    CLIENT_NOT_ALLOWED("client.not_allowed", "the client's address is not in clients.allow"),
    CLIENT_AUTH_REQUIRED("client.auth_required", "the proxy requires Proxy-Authorization (Basic) credentials"),
    CLIENT_AUTH_FAILED("client.auth_failed", "the Proxy-Authorization credentials are not valid"),
    CLIENT_PROXY_PROTOCOL("client.proxy_protocol", "a trusted load balancer's connection did not start with a valid PROXY protocol header"),

    // limits
    LIMIT_CONNECTIONS("limit.connections", "the proxy has limits.maxConnections client connections open; try again later"),
    LIMIT_CLIENT_CONNECTIONS("limit.client_connections", "this client has limits.maxConnectionsPerClient connections open"),
    LIMIT_TUNNELS("limit.tunnels", "the proxy has limits.maxTunnels tunnels open; try again later"),
    LIMIT_RATE("limit.rate", "this client exceeded limits.requestsPerSecondPerClient"),
    PROXY_DRAINING("proxy.draining", "the proxy is shutting down and takes no new requests"),
    REQUEST_INVALID("request.invalid", "the request is malformed or ambiguous and is refused"),
    REQUEST_HEADER_TOO_LARGE("request.header_too_large", "the request head is larger than limits.maxHeaderBytes"),
    REQUEST_TIMEOUT("request.timeout", "the client did not send a complete request head in time"),

    AUDIT_BACKLOG("proxy.audit_backlog", "the audit log is not keeping up; refused until it does, so that nothing passes unaudited"),
    INTERNAL_ERROR("internal.error", "an internal error occurred; denied to fail closed");

    private final String code;
    private final String description;

    Reason(String code, String description) {
        this.code = code;
        this.description = description;
    }

    public String code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** True for the reasons that let traffic through. */
    public boolean isAllowing() {
        return this == IP_PUBLIC || this == ALLOW_RULE || this == HOST_NOT_RESOLVED;
    }

    /**
     * True when the policy refused the destination itself (a 403): a denied address class, a
     * blocked or non-canonical host, a port, a destination rule or the approver's answer — as
     * opposed to a malformed request, a client refused admission, a limit, or a failure.
     */
    public boolean isPolicyDenial() {
        switch (this) {
            case IP_UNSPECIFIED:
            case IP_LOOPBACK:
            case IP_PRIVATE:
            case IP_CGNAT:
            case IP_LINK_LOCAL:
            case IP_METADATA:
            case IP_BENCHMARK:
            case IP_DOCUMENTATION:
            case IP_SPECIAL_USE:
            case IP_MULTICAST:
            case IP_RESERVED:
            case IP_UNIQUE_LOCAL:
            case IP_SITE_LOCAL:
            case IP_EMBEDDED_IPV4:
            case IP_DENIED_RANGE:
            case HOST_BLOCKED_NAME:
            case HOST_LEGACY_IPV4_LITERAL:
            case PORT_NOT_ALLOWED:
            case DEST_NOT_ALLOWED:
            case DEST_DENIED:
            case APPROVAL_DENIED:
            case APPROVAL_TIMEOUT:
            case APPROVAL_ERROR:
                return true;
            default:
                return false;
        }
    }
}
