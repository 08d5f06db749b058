package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.Optional;

/**
 * Whether a request may be looked at all, before its shape or destination: the proxy is not
 * draining, the audit log keeps up, the client is within its rate, the head decoded (a 431 is a 431
 * whatever its credentials), and — when the policy has users — its {@code Proxy-Authorization}.
 */
final class RequestAdmission {
    private RequestAdmission() {}

    /** The refusal that needs no credentials check, if any, for an HTTP request head. */
    static Optional<Decision> refusal(ProxyContext proxy, IpAddress client, HttpRequest head) {
        Optional<Decision> any = refusal(proxy, client);
        if (any.isPresent() || !head.decoderResult().isFailure()) {
            return any;
        }
        return Optional.of(ErrorResponses.refusalFor(head.decoderResult().cause()));
    }

    /** The refusal that holds whatever the request looks like: draining, the audit backlog, the client's rate. */
    static Optional<Decision> refusal(ProxyContext proxy, IpAddress client) {
        if (proxy.isDraining()) {
            return Optional.of(Decision.deny(Reason.PROXY_DRAINING, "shutdown"));
        }
        if (!proxy.audit().hasCapacity()) {
            return Optional.of(Decision.deny(Reason.AUDIT_BACKLOG, "audit"));
        }
        if (!proxy.rate().tryAcquire(client, System.nanoTime())) {
            return Optional.of(Decision.deny(Reason.LIMIT_RATE, "limits.requestsPerSecondPerClient"));
        }
        return Optional.empty();
    }

    /** Checks the head's credentials against the policy's users (off the event loop when a hash must be computed). */
    static Future<ProxyAuthenticator.Outcome> authenticate(ProxyContext proxy, PolicyFile policy, EventExecutor executor, HttpRequest head) {
        return proxy.authenticator().authenticate(executor, head.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION), policy.access().users());
    }

    /** Checks a SOCKS5 user name and password (RFC 1929) against the policy's users, exactly as Basic credentials are. */
    static Future<ProxyAuthenticator.Outcome> authenticate(ProxyContext proxy, PolicyFile policy, EventExecutor executor, String user,
                                                           String password) {
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return proxy.authenticator().authenticate(executor, basic, policy.access().users());
    }
}
