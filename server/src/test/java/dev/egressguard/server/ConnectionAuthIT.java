package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readResponse;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.ProxyHarness;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * A keep-alive connection's credentials are checked once and remembered for that connection only
 * while they stay the same and the policy's users list is the one that accepted them: other
 * credentials on the same connection are checked afresh, and a reload that removes the user
 * refuses the very next request.
 */
class ConnectionAuthIT {
    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rememberedCredentialsNeverOutliveTheirUsersOrStandInForOthers() throws Exception {
        String hash = PasswordHash.of("pw".toCharArray()).encoded();
        String users = "auth:\n  users:\n    - name: alice\n      passwordHash: \"" + hash + "\"\n    - name: ops\n      passwordHash: \"" + hash + "\"\n";
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(users + allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            String alice = "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nProxy-Authorization: " + basic("alice", "pw") + "\r\n\r\n";
            send(s, alice);
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            send(s, alice);
            assertThat(readResponse(s.getInputStream())).as("the same credentials again").startsWith("HTTP/1.1 200 ");
            send(s, "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nProxy-Authorization: " + basic("alice", "wrong") + "\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).as("other credentials on the same connection").startsWith("HTTP/1.1 407 ");
        }
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(users + allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            String alice = "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nProxy-Authorization: " + basic("alice", "pw") + "\r\n\r\n";
            send(s, alice);
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            h.proxy.reload(PolicyFileLoader.parse("listen: 127.0.0.1:0\nauth:\n  users:\n    - name: ops\n      passwordHash: \"" + hash + "\"\n"
                    + allow(origin.port()), "without alice"));
            send(s, alice);
            assertThat(readResponse(s.getInputStream())).as("alice removed by the reload, same connection").startsWith("HTTP/1.1 407 ");
        }
    }
}
