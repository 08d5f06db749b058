package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The system's name servers, from {@code /etc/resolv.conf}, when the policy names none. There is
 * no silent fallback: Netty's own default falls back to public resolvers when the file is missing
 * or lists none, which would send every destination name off to a third party. That is refused.
 */
final class SystemNameServers {
    static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    private SystemNameServers() {}

    /**
     * The {@code nameserver} entries of {@code resolvConf}, port 53.
     *
     * @throws IllegalStateException when the file is missing, unreadable or names no usable server
     */
    static List<InetSocketAddress> from(Path resolvConf) {
        List<String> lines;
        try {
            lines = Files.readAllLines(resolvConf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("dns: cannot read " + resolvConf + " (" + e.getClass().getSimpleName()
                    + "); set dns.servers in the policy to the resolvers the proxy should ask");
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (!line.startsWith("nameserver")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length < 2) {
                continue;
            }
            Optional<IpAddress> ip = IpLiterals.tryParse(parts[1]);
            ip.filter(a -> a.zone().isEmpty()).ifPresent(a -> out.add(new InetSocketAddress(a.toInetAddress(), 53)));
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("dns: " + resolvConf + " names no nameserver; set dns.servers in the policy to the resolvers"
                    + " the proxy should ask (the proxy never falls back to public resolvers)");
        }
        return out;
    }
}
