package dev.egressguard.cli.validate;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the proxy said to one probe.
 *
 * @param status      the HTTP status, or 0 when no response came (see {@code failure})
 * @param proxyStatus the {@code Proxy-Status} header (RFC 9209), if any
 * @param proxyError  another proxy's own error header ({@code X-Squid-Error}), if any
 * @param established a CONNECT answered 2xx: a tunnel to the destination is open
 * @param failure     why there is no response: a timeout, a close, garbage
 * @param note        what happened after the head (the tunnel carried the token, the TLS handshake)
 * @param fromProxy   the answer can only be the proxy's own (a CONNECT's, before any tunnel exists);
 *                    an absolute-form GET's answer may be the destination's, relayed
 */
public record ProxyAnswer(int status, Optional<String> proxyStatus, Optional<String> proxyError, boolean established,
                          Optional<String> failure, Optional<String> note, boolean fromProxy) {
    /** RFC 9209 error types that say the proxy refused the destination by policy. */
    private static final Set<String> DENIAL_TYPES = Set.of("destination_ip_prohibited", "destination_ip_unroutable", "http_request_denied");

    static ProxyAnswer failed(String why) {
        return new ProxyAnswer(0, Optional.empty(), Optional.empty(), false, Optional.of(why), Optional.empty(), true);
    }

    static ProxyAnswer of(ResponseHead head, boolean established, Optional<String> note, boolean fromProxy) {
        return new ProxyAnswer(head.status(), head.header("Proxy-Status"), head.header("X-Squid-Error"), established, Optional.empty(), note,
                fromProxy);
    }

    /**
     * A policy denial: a {@code Proxy-Status} whose error type is a refusal, or a 403 that is the
     * proxy's own — a CONNECT's, or one marked by a proxy header. A bare 403 to a GET may be the
     * destination's (a metadata service refusing a request without its header): not proof.
     */
    public boolean isDenial() {
        if (proxyErrorType().map(DENIAL_TYPES::contains).orElse(false)) {
            return true;
        }
        return status == 403 && (fromProxy || proxyStatus.isPresent() || proxyError.isPresent());
    }

    /** The proxy asked for credentials (407): nothing about its policy was learned. */
    public boolean needsCredentials() {
        return status == 407;
    }

    /** The proxy reports that it reached the destination: a tunnel, a 2xx/3xx answer, a 101 switch. */
    public boolean isSuccess() {
        return established || (status >= 200 && status < 400) || status == 101;
    }

    /** The {@code error=} parameter of {@code Proxy-Status}. */
    public Optional<String> proxyErrorType() {
        return proxyStatus.flatMap(ps -> parameter(ps, "error"));
    }

    /** What the report prints as the proxy's reason: the Proxy-Status error and details, or the proxy's own error header. */
    public String reason() {
        if (proxyStatus.isPresent()) {
            String error = proxyErrorType().orElse("?");
            return parameter(proxyStatus.get(), "details").map(d -> error + " (" + d + ")").orElse(error);
        }
        return proxyError.map(e -> e.split(" ")[0]).orElse("-");
    }

    /** One parameter of an RFC 8941 list member, {@code ; name=token} or {@code ; name="string"}. */
    private static Optional<String> parameter(String header, String name) {
        String lower = header.toLowerCase(Locale.ROOT);
        int at = lower.indexOf(name + "=");
        while (at > 0 && lower.charAt(at - 1) != ';' && lower.charAt(at - 1) != ' ') {
            at = lower.indexOf(name + "=", at + 1);
        }
        if (at < 0) {
            return Optional.empty();
        }
        int start = at + name.length() + 1;
        if (start < header.length() && header.charAt(start) == '"') {
            StringBuilder sb = new StringBuilder();
            for (int i = start + 1; i < header.length() && header.charAt(i) != '"'; i++) {
                char c = header.charAt(i) == '\\' && i + 1 < header.length() ? header.charAt(++i) : header.charAt(i);
                sb.append(c);
            }
            return Optional.of(ResponseHead.printable(sb.toString()));
        }
        int end = start;
        while (end < header.length() && header.charAt(end) != ';' && header.charAt(end) != ',') {
            end++;
        }
        return Optional.of(ResponseHead.printable(header.substring(start, end).strip()));
    }

    /** The status as the report prints it. */
    public String statusText() {
        return status == 0 ? "-" : String.valueOf(status);
    }
}
