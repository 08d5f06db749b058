package dev.egressguard.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A real egressguard proxy on 127.0.0.1:0 for one test: the given policy YAML (listen and DNS
 * servers filled in), a recording audit sink, a loopback-only dial guard and a real DNS server.
 */
public final class ProxyHarness implements AutoCloseable {
    public final RecordingAuditSink audit = new RecordingAuditSink();
    public final LoopbackDialGuard dials = new LoopbackDialGuard();
    public final TestDnsServer dns;
    public final ProxyServer proxy;

    public ProxyHarness(String policyYaml) throws Exception {
        dns = new TestDnsServer();
        String yaml = "listen: 127.0.0.1:0\ndns:\n  servers: [\"127.0.0.1:" + dns.port() + "\"]\n  timeout: 2s\n" + policyYaml;
        PolicyFile policy = PolicyFileLoader.parse(yaml, "test policy");
        proxy = ProxyServer.start(policy, audit, dials);
    }

    public int port() {
        return proxy.address().getPort();
    }

    public InetSocketAddress address() {
        return proxy.address();
    }

    /** Sends raw bytes on a fresh connection and returns everything the proxy answers until it closes (bounded). */
    public String raw(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] all = in.readNBytes(1 << 20);
            return new String(all, StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() {
        proxy.close();
        dns.close();
        assertThat(dials.violations()).as("dials outside loopback").isEmpty();
    }
}
