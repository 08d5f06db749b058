package dev.egressguard.cli.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProxyAnswerTest {
    @Test
    void readsEgressguardsProxyStatus() throws IOException {
        ResponseHead h = ResponseHead.parse("HTTP/1.1 403 Forbidden\r\nProxy-Status: egressguard; error=destination_ip_prohibited; "
                + "details=\"ip.metadata default:169.254.169.254/32\"\r\n\r\n");
        ProxyAnswer a = ProxyAnswer.of(h, false, java.util.Optional.empty(), true);
        assertThat(a.isDenial()).isTrue();
        assertThat(a.isSuccess()).isFalse();
        assertThat(a.reason()).isEqualTo("destination_ip_prohibited (ip.metadata default:169.254.169.254/32)");
    }

    @Test
    void aProxyStatusRefusalIsADenialWhateverTheStatus() throws IOException {
        ProxyAnswer a = ProxyAnswer.of(ResponseHead.parse("HTTP/1.1 400 Bad\r\nproxy-status: other; error=http_request_denied\r\n\r\n"), false,
                java.util.Optional.empty(), false);
        assertThat(a.isDenial()).isTrue();
        assertThat(a.reason()).isEqualTo("http_request_denied");
    }

    @Test
    void fallsBackToSquidsErrorHeader() throws IOException {
        ProxyAnswer a = ProxyAnswer.of(ResponseHead.parse("HTTP/1.1 503 Service Unavailable\r\nX-Squid-Error: ERR_DNS_FAIL 0\r\n\r\n"), false,
                java.util.Optional.empty(), false);
        assertThat(a.isDenial()).isFalse();
        assertThat(a.reason()).isEqualTo("ERR_DNS_FAIL");
        assertThat(a.statusText()).isEqualTo("503");
    }

    @Test
    void aBare403ToAGetMayBeTheDestinationsAndProvesNothing() throws IOException {
        ResponseHead metadataSays = ResponseHead.parse("HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n");
        assertThat(ProxyAnswer.of(metadataSays, false, java.util.Optional.empty(), false).isDenial()).as("relayed from the destination").isFalse();
        assertThat(ProxyAnswer.of(metadataSays, false, java.util.Optional.empty(), true).isDenial()).as("a CONNECT's own answer").isTrue();
        ResponseHead squid = ResponseHead.parse("HTTP/1.1 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\n\r\n");
        assertThat(ProxyAnswer.of(squid, false, java.util.Optional.empty(), false).isDenial()).as("marked by the proxy").isTrue();
        ResponseHead auth = ResponseHead.parse("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
        assertThat(ProxyAnswer.of(auth, false, java.util.Optional.empty(), true).needsCredentials()).isTrue();
    }

    @Test
    void refusesTextThatIsNotAResponseAndEscapesIt() {
        assertThatThrownBy(() -> ResponseHead.parse("SSH-2.0-OpenSSH\u001b[31m\r\n\r\n"))
                .hasMessage("not an HTTP response: \"SSH-2.0-OpenSSH\\x1b[31m\"");
    }
}
