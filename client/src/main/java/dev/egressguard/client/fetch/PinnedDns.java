package dev.egressguard.client.fetch;

import dev.egressguard.core.net.Hostnames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import okhttp3.Dns;

/**
 * OkHttp's name lookup for one hop: the vetted answers for the names the guard pinned, and
 * nothing else. It never resolves; a name that was not pinned fails. Being a value, two hops
 * pinned to the same answers compare equal, so OkHttp may reuse a connection only between them.
 */
record PinnedDns(Map<String, List<InetAddress>> pins) implements Dns {
    PinnedDns {
        pins = Map.copyOf(pins);
    }

    static PinnedDns of(String host, List<InetAddress> addresses) {
        return new PinnedDns(Map.of(Hostnames.normalize(host), List.copyOf(addresses)));
    }

    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
        List<InetAddress> vetted = pins.get(Hostnames.normalize(hostname));
        if (vetted == null) {
            throw new UnknownHostException("not pinned by the guard: " + hostname);
        }
        return vetted;
    }
}
