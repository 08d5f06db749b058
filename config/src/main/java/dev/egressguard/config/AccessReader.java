package dev.egressguard.config;

import dev.egressguard.core.net.IpRange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads who may use the proxy: {@code clients} (source CIDRs, PROXY protocol) and {@code auth}
 * (Basic users). Reading touches nothing outside the document: each user's secret is only noted
 * here, and read by {@link UserSecrets}, the one step that reads files and the environment.
 */
final class AccessReader {
    private static final Set<String> CLIENTS = NodeReader.keys("allow", "proxyProtocol");
    private static final Set<String> PROXY_PROTOCOL = NodeReader.keys("trusted");
    private static final Set<String> AUTH = NodeReader.keys("users");
    private static final Set<String> USER = NodeReader.keys("name", "passwordHash", "passwordFile", "passwordEnv");
    static final List<IpRange> DEFAULT_CLIENTS = List.of(IpRange.parse("127.0.0.0/8"), IpRange.parse("::1/128"));

    /** {@code clients.allow} and {@code clients.proxyProtocol.trusted}. */
    record Clients(List<IpRange> allow, List<IpRange> trusted) {}

    /**
     * A user as declared, before its secret is read.
     *
     * @param kind  {@code passwordHash}, {@code passwordFile} or {@code passwordEnv}
     * @param text  the value: the hash, the file or the variable name
     */
    record UserEntry(String name, String kind, String text, Node at, String path) {}

    private final NodeReader r;
    private final Set<String> declaredUsers = new LinkedHashSet<>();

    AccessReader(NodeReader reader) {
        this.r = reader;
    }

    Clients clients(Node node) {
        List<IpRange> clients = DEFAULT_CLIENTS;
        List<IpRange> trustedBalancers = List.of();
        Map<String, Node> c = r.mapping(node, "clients", CLIENTS);
        if (c.containsKey("allow")) {
            clients = r.cidrs(c.get("allow"), "clients.allow");
            if (clients.isEmpty()) {
                r.problem(c.get("allow"), "clients.allow", "[]", "at least one CIDR; with none, no client could use the proxy");
            }
        }
        if (c.containsKey("proxyProtocol")) {
            Map<String, Node> pp = r.mapping(c.get("proxyProtocol"), "clients.proxyProtocol", PROXY_PROTOCOL);
            if (pp.containsKey("trusted")) {
                trustedBalancers = r.cidrs(pp.get("trusted"), "clients.proxyProtocol.trusted");
                if (trustedBalancers.isEmpty()) {
                    r.problem(pp.get("trusted"), "clients.proxyProtocol.trusted", "[]",
                            "the load balancers' CIDRs whose PROXY header is believed (omit proxyProtocol to turn it off)");
                }
            } else {
                r.problem(c.get("proxyProtocol"), "clients.proxyProtocol.trusted", null, "the load balancers' CIDRs");
            }
        }
        return new Clients(clients, trustedBalancers);
    }

    /** The users of {@code auth}, each with where its secret is; the secrets are not read here. */
    List<UserEntry> users(Node n) {
        Map<String, Node> a = r.mapping(n, "auth", AUTH);
        List<UserEntry> out = new ArrayList<>();
        if (!a.containsKey("users")) {
            r.problem(n, "auth.users", null, "users with name and passwordHash, passwordFile or passwordEnv");
            return out;
        }
        List<Node> items = r.sequence(a.get("users"), "auth.users", "users with name and passwordHash, passwordFile or passwordEnv");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String path = "auth.users[" + i + "]";
            Map<String, Node> u = r.mapping(items.get(i), path, USER);
            Optional<String> name = u.containsKey("name") ? r.string(u.get("name"), path + ".name", "a user name") : Optional.empty();
            name.ifPresent(declaredUsers::add);
            if (!u.containsKey("name")) {
                r.problem(items.get(i), path + ".name", null, "a user name");
            } else if (name.isPresent() && (name.get().isBlank() || name.get().indexOf(':') >= 0 || !name.get().equals(name.get().strip()))) {
                r.problem(u.get("name"), path + ".name", name.get(), "a name without ':' or surrounding spaces (Basic credentials are name:password)");
                name = Optional.empty();
            } else if (name.isPresent() && !names.add(name.get())) {
                r.problem(u.get("name"), path + ".name", name.get(), "each user once");
                name = Optional.empty();
            }
            List<String> given = new ArrayList<>();
            for (String k : List.of("passwordHash", "passwordFile", "passwordEnv")) {
                if (u.containsKey(k)) {
                    given.add(k);
                }
            }
            if (given.size() != 1) {
                r.problem(items.get(i), path, given.isEmpty() ? null : String.join(", ", given),
                        "exactly one of passwordHash, passwordFile or passwordEnv");
                continue;
            }
            String key = given.get(0);
            Node v = u.get(key);
            Optional<String> text = r.string(v, path + "." + key, key.equals("passwordHash") ? PasswordHash.expectedForm()
                    : key.equals("passwordFile") ? "a file holding the password" : "an environment variable holding the password");
            if (text.isPresent() && name.isPresent()) {
                out.add(new UserEntry(name.get(), key, text.get().strip(), v, path + "." + key));
            }
        }
        return out;
    }

    /** Every user name the file declares, valid or not (so that a reference to it is not reported twice). */
    Set<String> declaredUsers() {
        return declaredUsers;
    }
}
