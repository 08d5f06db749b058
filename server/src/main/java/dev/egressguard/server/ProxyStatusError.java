package dev.egressguard.server;

/** RFC 9209 Proxy-Status error types egressguard uses, with the HTTP status each maps to. */
enum ProxyStatusError {
    DESTINATION_IP_PROHIBITED("destination_ip_prohibited", 403),
    HTTP_REQUEST_DENIED("http_request_denied", 403),
    DESTINATION_NOT_FOUND("destination_not_found", 502),
    DNS_ERROR("dns_error", 502),
    DNS_TIMEOUT("dns_timeout", 504),
    CONNECTION_REFUSED("connection_refused", 502),
    CONNECTION_TIMEOUT("connection_timeout", 504),
    HTTP_REQUEST_ERROR("http_request_error", 400),
    HTTP_RESPONSE_INCOMPLETE("http_response_incomplete", 502),
    HTTP_UPGRADE_FAILED("http_upgrade_failed", 502),
    HTTP_PROTOCOL_ERROR("http_protocol_error", 502),
    TLS_CERTIFICATE_ERROR("tls_certificate_error", 502),
    TLS_PROTOCOL_ERROR("tls_protocol_error", 502),
    CONNECTION_LIMIT_REACHED("connection_limit_reached", 503),
    PROXY_INTERNAL_RESPONSE("proxy_internal_response", 503),
    PROXY_INTERNAL_ERROR("proxy_internal_error", 500);

    private final String type;
    private final int status;

    ProxyStatusError(String type, int status) {
        this.type = type;
        this.status = status;
    }

    String type() {
        return type;
    }

    int status() {
        return status;
    }
}
