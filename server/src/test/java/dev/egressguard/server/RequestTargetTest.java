package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the request line's target yields: a target (mode, host, port, origin-form) or the rule that refused it. */
class RequestTargetTest {

    private static RequestTarget.Parsed parse(String method, String uri, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return RequestTarget.parse(request);
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3} {4} {5}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "CONNECT | example.com:443              | CONNECT | example.com  | 443   | -",
            "CONNECT | EXAMPLE.com:1                | CONNECT | EXAMPLE.com  | 1     | -",
            "CONNECT | 127.0.0.1:65535              | CONNECT | 127.0.0.1    | 65535 | -",
            "CONNECT | [::1]:443                    | CONNECT | ::1          | 443   | -",
            "CONNECT | [fe80::1%eth0]:443           | CONNECT | fe80::1%eth0 | 443   | -",
            "GET     | http://example.com/          | FORWARD | example.com  | 80    | /",
            "GET     | http://example.com           | FORWARD | example.com  | 80    | /",
            "GET     | http://example.com:/         | FORWARD | example.com  | 80    | /",
            "GET     | http://example.com:8080/a?b  | FORWARD | example.com  | 8080  | /a?b",
            "GET     | http://example.com?q         | FORWARD | example.com  | 80    | /?q",
            "GET     | HTTP://Example.COM:80/x      | FORWARD | Example.COM  | 80    | /x",
            "GET     | http://[::1]/                | FORWARD | ::1          | 80    | /",
            "GET     | http://[::1]:/               | FORWARD | ::1          | 80    | /",
            "GET     | http://[::1]:8080            | FORWARD | ::1          | 8080  | /",
            "GET     | ws://example.com:81/chat     | FORWARD | example.com  | 81    | /chat",
    })
    void targets(String method, String uri, String mode, String host, int port, String originForm) {
        RequestTarget.Parsed p = parse(method, uri);
        assertThat(p.refusal()).isNull();
        assertThat(p.target()).isEqualTo(new RequestTarget(RequestTarget.Mode.valueOf(mode), host, port, originForm));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "CONNECT | example.com             | request:bad-port-or-host",
            "CONNECT | example.com:            | request:bad-port-or-host",
            "CONNECT | example.com:0           | request:bad-port-or-host",
            "CONNECT | example.com:080         | request:bad-port-or-host",
            "CONNECT | example.com:65536       | request:bad-port-or-host",
            "CONNECT | :443                    | request:bad-port-or-host",
            "CONNECT | ::1:443                 | request:bad-port-or-host",
            "CONNECT | [::1]                   | request:bad-port-or-host",
            "CONNECT | [::1]x:443              | request:bad-port-or-host",
            "CONNECT | [::1:443                | request:bad-port-or-host",
            "CONNECT | []:443                  | request:bad-port-or-host",
            "CONNECT | user@example.com:443    | request:connect-authority",
            "CONNECT | example.com:443/x       | request:connect-authority",
            "GET     | http://::1/             | request:bad-port-or-host",
            "GET     | http:///                | request:bad-port-or-host",
            "GET     | http://:80/             | request:bad-port-or-host",
            "GET     | http://[]/              | request:bad-port-or-host",
            "GET     | http://[::1/            | request:bad-port-or-host",
            "GET     | http://[::1]x/          | request:bad-port-or-host",
            "GET     | http://example.com:0/   | request:bad-port-or-host",
            "GET     | http://example.com:080/ | request:bad-port-or-host",
            "GET     | http://example.com:65536/ | request:bad-port-or-host",
            "GET     | http://example.com:x/   | request:bad-port-or-host",
            "GET     | http://a:b:c/           | request:bad-port-or-host",
            "GET     | http://u:p@example.com/ | request:userinfo",
            "GET     | http://exa\\mple.com/   | request:bad-uri",
            "GET     | http://example.com/#f   | request:bad-uri",
            "GET     | /path                   | request:origin-form",
            "GET     | https://example.com/    | request:https-absolute-form",
            "GET     | ftp://example.com/      | request:scheme",
    })
    void refusals(String method, String uri, String rule) {
        RequestTarget.Parsed p = parse(method, uri);
        assertThat(p.target()).isNull();
        assertThat(p.refusal().rule()).isEqualTo(rule);
    }

    @ParameterizedTest(name = "{0} Host: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "http://example.com/       | example.com       | true  | example.com",
            "http://example.com/       | EXAMPLE.com:80    | true  | example.com",
            "http://example.com:8080/  | example.com:8080  | true  | example.com:8080",
            "http://example.com:8080/  | example.com       | false | example.com:8080",
            "http://[::1]:8080/        | [::1]:8080        | true  | [::1]:8080",
            "http://[::1]/             | [::1]             | true  | [::1]",
            "http://[::1]/             | ::1               | false | [::1]",
            "http://[FE80::1]/         | [fe80::1]         | true  | [FE80::1]",
            "http://example.com/       | other.example     | false | example.com",
    })
    void hostHeaders(String uri, String hostHeader, boolean matches, String sent) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().add("Host", hostHeader);
        RequestTarget t = RequestTarget.parse(request).target();
        assertThat(t.checkHostHeader(request).isEmpty()).isEqualTo(matches);
        assertThat(t.hostHeader()).isEqualTo(sent);
    }

    @Test
    void aWebSocketUpgradeIsItsOwnMode() {
        RequestTarget t = parse("GET", "ws://example.com/chat", "Upgrade", "websocket", "Connection", "Upgrade").target();
        assertThat(t.mode()).isEqualTo(RequestTarget.Mode.WEBSOCKET);
        assertThat(RequestTarget.parse(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://example.com/"))
                .target().mode()).isEqualTo(RequestTarget.Mode.FORWARD);
    }
}
