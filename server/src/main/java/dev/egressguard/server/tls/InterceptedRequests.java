package dev.egressguard.server.tls;

import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.tls.Credential;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the intercepted exchange checks and rewrites on a request, and how it reads a failed
 * handshake: the one {@code Host} header against the CONNECT authority, the client's own
 * credential headers out and the configured credential in, and the causes of TLS failures.
 */
final class InterceptedRequests {
    private static final Logger log = LoggerFactory.getLogger(InterceptedRequests.class);
    private static final int HTTPS_PORT = 443;

    private InterceptedRequests() {}

    /** Exactly one {@code Host}, naming {@code host} and {@code port} (no port in the header means 443). */
    static boolean hostMatches(HttpRequest head, String host, int port) {
        List<String> values = head.headers().getAll(HttpHeaderNames.HOST);
        if (values.size() != 1) {
            return false;
        }
        String value = values.get(0);
        Optional<HostPort> hp = HostPort.tryParseLenient(value);
        if (hp.isEmpty() || (hp.get().host().indexOf(':') >= 0 && !value.startsWith("["))) {
            return false;
        }
        int named = hp.get().port() == HostPort.NO_PORT ? HTTPS_PORT : hp.get().port();
        return named == port && Hostnames.canonicalize(hp.get().host()).map(host::equals).orElse(false);
    }

    /**
     * Removes every header named in {@code stripped} (lowercase; any spelling matches) and the
     * credential's own header, then adds the credential.
     */
    static void replaceCredentials(HttpHeaders headers, List<String> stripped, Optional<Credential> credential) {
        List<String> drop = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (stripped.contains(name) || credential.map(c -> c.header().equalsIgnoreCase(name)).orElse(false)) {
                drop.add(h.getKey());
            }
        }
        drop.forEach(headers::remove);
        credential.ifPresent(c -> headers.set(c.header(), c.value()));
    }

    /** The request as it goes to the origin: HTTP/1.1, hop-by-hop headers gone, the client's credentials out and the configured one in. */
    static HttpRequest forOrigin(HttpRequest head, TunnelServices services, List<String> stripped, Optional<Credential> credential) {
        HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.uri(), head.headers().copy());
        services.stripHopByHop(out.headers());
        replaceCredentials(out.headers(), stripped, credential);
        return out;
    }

    /** True when a response's end is known without the connection closing: a length, chunks, or no body at all. */
    static boolean isFramed(HttpResponse r, boolean toHead) {
        int status = r.status().code();
        return HttpUtil.isContentLengthSet(r) || HttpUtil.isTransferEncodingChunked(r) || status < 200 || status == 204 || status == 304 || toHead;
    }

    /** True when an upstream handshake failed on the certificate (untrusted, expired, another name), not the protocol. */
    static boolean isCertificateProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("PKIX") || m.contains("subject alternative") || m.contains("certificate_unknown"))) {
                return true;
            }
        }
        return false;
    }

    /** The refusal a failed client handshake is audited as; a rejected certificate is logged once with the passthrough hint. */
    static Decision clientHandshakeRefusal(TunnelServices services, Throwable cause) {
        Reason reason = clientHandshakeFailure(cause);
        log.debug("client handshake for {}:{} failed: {}", services.host(), services.port(), cause.toString());
        if (reason == Reason.TLS_CLIENT_REJECTED_CERTIFICATE) {
            log.warn("a client rejected the interception certificate for {}:{} ({}); if it cannot trust the proxy's CA"
                    + " or pins certificates, add the host to tls.passthrough (docs/tls.md)", services.host(), services.port(), reason.code());
        }
        return Decision.deny(reason, "tls:client-handshake");
    }

    /**
     * Why a client's handshake with the interception certificate failed. A client that hangs up
     * once it has the certificate (the JDK's HttpClient does, without an alert) rejected it too.
     */
    static Reason clientHandshakeFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("application layer protocol") || m.contains("application protocol") || m.contains("no_application_protocol")) {
                return Reason.TLS_ALPN_UNSUPPORTED;
            }
            if (t instanceof java.nio.channels.ClosedChannelException) {
                return Reason.TLS_CLIENT_REJECTED_CERTIFICATE;
            }
            if (m.contains("received fatal alert") && (m.contains("certificate") || m.contains("unknown_ca") || m.contains("access_denied"))) {
                return Reason.TLS_CLIENT_REJECTED_CERTIFICATE;
            }
        }
        return Reason.TLS_HANDSHAKE_FAILED;
    }
}
