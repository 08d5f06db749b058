package dev.egressguard.client.routing;

import dev.egressguard.core.net.Hostnames;
import java.net.Authenticator;
import java.net.PasswordAuthentication;

/**
 * Answers the routing proxy's {@code 407} with the credentials from its URL, and nothing else:
 * origin servers and other proxies are handed to the authenticator that was installed before.
 */
final class ProxyCredentialsAuthenticator extends Authenticator {
    private final String host;
    private final int port;
    private final String user;
    private final char[] password;
    private final Authenticator previous;

    ProxyCredentialsAuthenticator(ProxyUrl proxy, Authenticator previous) {
        this.host = proxy.host();
        this.port = proxy.port();
        this.user = proxy.username().orElse("");
        this.password = proxy.password().orElse("").toCharArray();
        this.previous = previous;
    }

    @Override
    protected PasswordAuthentication getPasswordAuthentication() {
        if (getRequestorType() == RequestorType.PROXY && getRequestingPort() == port && getRequestingHost() != null
                && host.equalsIgnoreCase(Hostnames.stripBrackets(getRequestingHost()))) {
            return new PasswordAuthentication(user, password.clone());
        }
        if (previous == null) {
            return null;
        }
        return previous.requestPasswordAuthenticationInstance(getRequestingHost(), getRequestingSite(), getRequestingPort(),
                getRequestingProtocol(), getRequestingPrompt(), getRequestingScheme(), getRequestingURL(), getRequestorType());
    }

}
