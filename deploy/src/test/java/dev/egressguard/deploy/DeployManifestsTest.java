package dev.egressguard.deploy;

import static dev.egressguard.deploy.Yamls.at;
import static dev.egressguard.deploy.Yamls.has;
import static dev.egressguard.deploy.Yamls.integer;
import static dev.egressguard.deploy.Yamls.list;
import static dev.egressguard.deploy.Yamls.map;
import static dev.egressguard.deploy.Yamls.maps;
import static dev.egressguard.deploy.Yamls.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egressguard.config.LintWarning;
import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.config.PolicyLinter;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files under deploy/: every Kubernetes manifest parsed and its security-relevant
 * fields checked against each other (labels, selectors, ports, paths, the policy the ConfigMap
 * carries), and the systemd unit's hardening, with {@code systemd-analyze} where it is installed.
 */
class DeployManifestsTest {
    static final Path K8S = Yamls.DEPLOY_DIR.resolve("kubernetes");
    static final Path SYSTEMD = Yamls.DEPLOY_DIR.resolve("systemd");
    /** The paths the admin listener serves (docs/deploy.md). */
    static final Set<String> ADMIN_PATHS = Set.of("/", "/metrics", "/healthz", "/readyz", "/policy");
    static final String AGENT_LABEL = "egressguard.dev/client";
    static final Duration MINUTE = Duration.ofMinutes(1);

    /** Every document of every manifest (ImageIT reads them too). */
    static final List<Yamls.Doc> docs = loadAll();

    private static List<Yamls.Doc> loadAll() {
        List<Yamls.Doc> all = new ArrayList<>();
        for (Path f : Yamls.yamlFiles(K8S)) {
            all.addAll(Yamls.load(f));
        }
        return List.copyOf(all);
    }

    @BeforeAll
    static void manifestsArePresent() {
        assertThat(K8S).as("deploy/kubernetes (run from the deploy module)").isDirectory();
        assertThat(docs).hasSizeGreaterThanOrEqualTo(7);
    }

    static Yamls.Doc one(String kind, String name) {
        List<Yamls.Doc> found = docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).toList();
        assertThat(found).as("%s %s", kind, name).hasSize(1);
        return found.get(0);
    }

    static List<Yamls.Doc> ofKind(String kind) {
        return docs.stream().filter(d -> d.kind().equals(kind)).toList();
    }

    static Yamls.Doc deployment() {
        return one("Deployment", "egressguard");
    }

    static Map<String, Object> container() {
        List<Map<String, Object>> containers = maps(deployment().root(), "spec.template.spec.containers");
        assertThat(containers).as("one container").hasSize(1);
        return containers.get(0);
    }

    static Map<String, Object> podLabels() {
        return map(deployment().root(), "spec.template.metadata.labels");
    }

    static List<String> args() {
        return list(container(), "args").stream().map(String::valueOf).toList();
    }

    static String argAfter(String flag) {
        List<String> args = args();
        int i = args.indexOf(flag);
        assertThat(i).as("%s in the container's args %s", flag, args).isGreaterThanOrEqualTo(0);
        assertThat(args.size()).as("a value after " + flag).isGreaterThan(i + 1);
        return args.get(i + 1);
    }

    static int containerPort(String name) {
        for (Map<String, Object> p : maps(container(), "ports")) {
            if (name.equals(p.get("name"))) {
                assertThat(p.getOrDefault("protocol", "TCP")).isEqualTo("TCP");
                return integer(p, "containerPort");
            }
        }
        throw new AssertionError("no container port named " + name);
    }

    /** The policy file carried by the ConfigMap, parsed by the project's own loader. */
    static PolicyFile configMapPolicy() {
        Object text = map(one("ConfigMap", "egressguard-policy").root(), "data").get("policy.yaml");
        assertThat(text).as("data[policy.yaml]").isInstanceOf(String.class);
        return PolicyFileLoader.parse((String) text, "configmap.yaml:policy.yaml");
    }

    /** A label selector's matchLabels selects a pod with these labels (no matchExpressions in ours). */
    static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        assertThat(selector).as("selector").doesNotContainKey("matchExpressions");
        Map<String, Object> match = selector.containsKey("matchLabels") ? map(selector, "matchLabels") : Map.of();
        return !match.isEmpty() && labels.entrySet().containsAll(match.entrySet());
    }

    static Duration durationSeconds(Object seconds) {
        return Duration.ofSeconds(((Number) seconds).longValue());
    }

    @Nested
    class Kubernetes {
        @Test
        void everyManifestParsesAndNamesNoNamespace() {
            assertThat(docs).extracting(Yamls.Doc::kind).contains("ConfigMap", "Deployment", "Service", "NetworkPolicy",
                    "PodDisruptionBudget", "Kustomization");
            for (Yamls.Doc d : docs) {
                assertThat(string(d.root(), "apiVersion")).as(d.where()).isNotBlank();
                if (!d.kind().equals("Kustomization")) {
                    assertThat(d.name()).as(d.where()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
                    assertThat(map(d.root(), "metadata")).as(d.where() + ": namespace-agnostic").doesNotContainKey("namespace");
                }
            }
            Map<String, String> apiVersions = Map.of("ConfigMap", "v1", "Service", "v1", "Deployment", "apps/v1",
                    "NetworkPolicy", "networking.k8s.io/v1", "PodDisruptionBudget", "policy/v1");
            for (Yamls.Doc d : docs) {
                if (apiVersions.containsKey(d.kind())) {
                    assertThat(string(d.root(), "apiVersion")).as(d.where()).isEqualTo(apiVersions.get(d.kind()));
                }
            }
        }

        @Test
        void kustomizationListsEveryManifestAndSetsTheImage() {
            Yamls.Doc k = docs.stream().filter(d -> d.kind().equals("Kustomization")).findFirst().orElseThrow();
            Set<String> files = Yamls.yamlFiles(K8S).stream().map(f -> f.getFileName().toString())
                    .filter(n -> !n.equals("kustomization.yaml")).collect(Collectors.toSet());
            assertThat(list(k.root(), "resources")).map(String::valueOf).containsExactlyInAnyOrderElementsOf(files);
            assertThat(k.root()).doesNotContainKey("namespace");
            String image = string(container(), "image");
            Map<String, Object> img = maps(k.root(), "images").get(0);
            assertThat(image).isEqualTo(img.get("name") + ":" + img.get("newTag"));
        }

        @Test
        void deploymentRunsReplicasOfAPlaceholderImage() {
            Map<String, Object> d = deployment().root();
            assertThat(integer(d, "spec.replicas")).as("N replicas").isGreaterThanOrEqualTo(2);
            assertThat(at(d, "spec.strategy.rollingUpdate.maxUnavailable")).as("a new pod is ready before an old one goes")
                    .isEqualTo(0);
            assertThat(selects(map(d, "spec.selector"), podLabels())).as("the selector selects its own pods").isTrue();
            String image = string(container(), "image");
            assertThat(image).as("a registry that never resolves: a placeholder to replace").startsWith("registry.invalid/egressguard:");
            String version = System.getProperty("egressguard.version");
            if (version != null) {
                assertThat(image).endsWith(":" + version);
            }
            assertThat(args().get(0)).isEqualTo("proxy");
        }

        @Test
        void podAndContainerAreLockedDown() {
            Map<String, Object> pod = map(deployment().root(), "spec.template.spec");
            assertThat(at(pod, "automountServiceAccountToken")).isEqualTo(false);
            assertThat(pod).doesNotContainKeys("hostNetwork", "hostPID", "hostIPC");
            assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
            assertThat(integer(pod, "securityContext.runAsUser")).isPositive();
            assertThat(string(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");

            Map<String, Object> c = container();
            assertThat(at(c, "securityContext.runAsNonRoot")).isEqualTo(true);
            assertThat(integer(c, "securityContext.runAsUser")).isEqualTo(integer(pod, "securityContext.runAsUser")).isPositive();
            assertThat(at(c, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
            assertThat(at(c, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
            assertThat(at(c, "securityContext.privileged")).isEqualTo(false);
            assertThat(list(c, "securityContext.capabilities.drop")).containsExactly("ALL");
            assertThat(map(c, "securityContext.capabilities")).doesNotContainKey("add");
            assertThat(string(c, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");

            assertThat(map(c, "resources.requests")).containsKeys("cpu", "memory");
            assertThat(map(c, "resources.limits")).containsKey("memory");
        }

        @Test
        void policyIsMountedFromTheConfigMapAndTmpIsTheOnlyWritableMount() {
            Map<String, Object> pod = map(deployment().root(), "spec.template.spec");
            String policyPath = argAfter("--policy");
            Map<String, Map<String, Object>> volumes = maps(pod, "volumes").stream()
                    .collect(Collectors.toMap(v -> String.valueOf(v.get("name")), v -> v));
            boolean mounted = false;
            for (Map<String, Object> m : maps(container(), "volumeMounts")) {
                Map<String, Object> v = volumes.get(String.valueOf(m.get("name")));
                assertThat(v).as("volume %s", m.get("name")).isNotNull();
                String mountPath = string(m, "mountPath");
                if (v.containsKey("configMap")) {
                    assertThat(m.get("readOnly")).as(mountPath).isEqualTo(true);
                    if (policyPath.startsWith(mountPath + "/")) {
                        String cmName = string(v, "configMap.name");
                        String key = policyPath.substring(mountPath.length() + 1);
                        assertThat(map(one("ConfigMap", cmName).root(), "data")).as("the ConfigMap holds %s", key).containsKey(key);
                        assertThat(m).as("no subPath: the kubelet updates the file in place").doesNotContainKey("subPath");
                        mounted = true;
                    }
                } else {
                    assertThat(v).as("the only writable volume").containsKey("emptyDir");
                    assertThat(mountPath).isEqualTo("/tmp");
                }
            }
            assertThat(mounted).as("--policy %s is in a ConfigMap volume", policyPath).isTrue();
        }

        @Test
        void probesHitTheAdminListenerOnTheAdminPort() {
            String adminListen = argAfter("--admin-listen");
            int adminPort = Integer.parseInt(adminListen.substring(adminListen.lastIndexOf(':') + 1));
            String adminHost = adminListen.substring(0, adminListen.lastIndexOf(':'));
            assertThat(adminHost).as("the kubelet probes the pod IP, not loopback").isIn("0.0.0.0", "[::]");
            assertThat(containerPort("admin")).isEqualTo(adminPort);
            Map<String, String> expectedPath = Map.of("livenessProbe", "/healthz", "readinessProbe", "/readyz",
                    "startupProbe", "/healthz");
            for (var e : expectedPath.entrySet()) {
                Map<String, Object> probe = map(container(), e.getKey());
                assertThat(string(probe, "httpGet.path")).as(e.getKey()).isEqualTo(e.getValue()).isIn(ADMIN_PATHS);
                assertThat(at(probe, "httpGet.port")).as(e.getKey() + " port").isIn("admin", adminPort);
                assertThat(probe.getOrDefault("httpGet", Map.of()).toString()).doesNotContain("3128");
            }
        }

        @Test
        void proxyPortIsTheListenPortOfThePolicy() {
            PolicyFile policy = configMapPolicy();
            assertThat(containerPort("proxy")).isEqualTo(policy.listen().port()).isEqualTo(3128);
            assertThat(args()).as("the policy's listen is the one place for it").doesNotContain("--listen");
        }

        @Test
        void gracePeriodOutlastsPreStopAndDrain() {
            Map<String, Object> pod = map(deployment().root(), "spec.template.spec");
            Duration grace = durationSeconds(at(pod, "terminationGracePeriodSeconds"));
            Duration preStop = has(container(), "lifecycle.preStop.sleep.seconds")
                    ? durationSeconds(at(container(), "lifecycle.preStop.sleep.seconds")) : Duration.ZERO;
            assertThat(grace).isGreaterThan(preStop.plus(configMapPolicy().limits().drainTimeout()));
        }

        @Test
        void serviceSelectsTheDeploymentAndTargetsNamedPorts() {
            Map<String, Object> svc = one("Service", "egressguard").root();
            assertThat(selects(Map.of("matchLabels", map(svc, "spec.selector")), podLabels())).isTrue();
            assertThat(string(svc, "spec.type")).isEqualTo("ClusterIP");
            List<Map<String, Object>> ports = maps(svc, "spec.ports");
            assertThat(ports.get(0).get("name")).as("first: EGRESSGUARD_SERVICE_PORT is the proxy").isEqualTo("proxy");
            Map<String, Integer> byName = new java.util.HashMap<>();
            for (Map<String, Object> p : ports) {
                assertThat(p.getOrDefault("protocol", "TCP")).isEqualTo("TCP");
                String target = String.valueOf(p.get("targetPort"));
                assertThat(integer(p, "port")).isEqualTo(containerPort(target));
                byName.put(target, integer(p, "port"));
            }
            assertThat(byName).containsOnlyKeys("proxy", "admin").containsEntry("proxy", 3128);
        }

        @Test
        void configMapPolicyIsValidAndDeniesWhatItMust() {
            PolicyFile policy = assertThatPolicyLoads();
            List<LintWarning> warnings = PolicyLinter.lint(policy);
            assertThat(warnings).as("only the expected non-loopback listen warning: %s", warnings)
                    .extracting(LintWarning::path).containsExactly("listen");
            // Listening beyond loopback requires non-loopback clients (or auth): the proxy refuses otherwise.
            IpRange lo4 = IpRange.parse("127.0.0.0/8");
            IpRange lo6 = IpRange.parse("::1/128");
            assertThat(policy.clientsAllow()).anyMatch(r -> !lo4.contains(r) && !lo6.contains(r));
            assertThat(policy.clientsAllow()).allMatch(r -> r.prefixLength() >= 8);
            assertThat(policy.audit().fileIfSet()).as("audit to stdout, for the log pipeline").isEmpty();
            assertThat(policy.policy().mode().code()).isEqualTo("enforce");

            assertThat(decide(policy, "169.254.169.254", 80, "169.254.169.254").reason()).isEqualTo(Reason.IP_METADATA);
            assertThat(decide(policy, "10.96.0.1", 443, "10.96.0.1").reason()).isEqualTo(Reason.IP_PRIVATE);
            assertThat(decide(policy, "kubernetes.default.svc", 443, "93.184.215.14").reason())
                    .as("cluster names refused before DNS").isEqualTo(Reason.HOST_BLOCKED_NAME);
            assertThat(decide(policy, "example.com", 22, "93.184.215.14").reason()).isEqualTo(Reason.PORT_NOT_ALLOWED);
            assertThat(decide(policy, "example.com", 443, "93.184.215.14").isAllowed()).isTrue();
        }

        private PolicyFile assertThatPolicyLoads() {
            assertThatCode(DeployManifestsTest::configMapPolicy).as("PolicyFileLoader accepts the ConfigMap's policy")
                    .doesNotThrowAnyException();
            return configMapPolicy();
        }

        private Decision decide(PolicyFile policy, String host, int port, String address) {
            return policy.policy().decide(host, port, List.of(IpLiterals.parse(address)));
        }

        @Test
        void agentsCanReachOnlyTheProxy() {
            Map<String, Object> np = one("NetworkPolicy", "egressguard-agents-egress").root();
            Map<String, Object> agentSelector = map(np, "spec.podSelector");
            assertThat(map(agentSelector, "matchLabels")).containsOnlyKeys(AGENT_LABEL);
            assertThat(selects(agentSelector, podLabels())).as("the proxy is not an agent").isFalse();
            assertThat(list(np, "spec.policyTypes")).containsExactly("Egress");
            List<Map<String, Object>> egress = maps(np, "spec.egress");
            assertThat(egress).as("one rule: to the proxy").hasSize(1);
            List<Map<String, Object>> to = maps(egress.get(0), "to");
            assertThat(to).hasSize(1);
            assertThat(to.get(0)).as("same namespace, proxy pods only: no ipBlock, no namespaceSelector")
                    .containsOnlyKeys("podSelector");
            assertThat(selects(map(to.get(0), "podSelector"), podLabels())).isTrue();
            assertThat(maps(egress.get(0), "ports")).containsExactly(Map.of("protocol", "TCP", "port", containerPort("proxy")));

            // NetworkPolicies add up: no other one may open egress for the agents.
            for (Yamls.Doc other : ofKind("NetworkPolicy")) {
                if (other.root() != np && list(other.root(), "spec.policyTypes").contains("Egress")) {
                    Map<String, Object> sel = map(other.root(), "spec.podSelector");
                    assertThat(sel.toString()).as(other.where() + " selects agents").doesNotContain(AGENT_LABEL);
                    assertThat(sel).as(other.where() + " selects every pod").isNotEmpty();
                }
            }
        }

        @Test
        void proxyAdmitsOnlyAgentsAndReachesOnlyPublicAddresses() {
            Map<String, Object> np = one("NetworkPolicy", "egressguard-proxy").root();
            assertThat(selects(map(np, "spec.podSelector"), podLabels())).isTrue();
            assertThat(list(np, "spec.policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
            Map<String, Object> agentLabels = map(one("NetworkPolicy", "egressguard-agents-egress").root(),
                    "spec.podSelector.matchLabels");

            Set<Integer> portsFromAgents = new HashSet<>();
            for (Map<String, Object> rule : maps(np, "spec.ingress")) {
                List<Map<String, Object>> from = maps(rule, "from");
                List<Integer> ports = maps(rule, "ports").stream().map(p -> integer(p, "port")).toList();
                for (Map<String, Object> peer : from) {
                    assertThat(peer).as("ingress peers are selectors, never ipBlocks").doesNotContainKey("ipBlock");
                    if (peer.containsKey("podSelector") && !peer.containsKey("namespaceSelector")) {
                        assertThat(map(peer, "podSelector.matchLabels")).isEqualTo(agentLabels);
                        portsFromAgents.addAll(ports);
                    } else {
                        assertThat(ports).as("only the admin port for other namespaces").containsExactly(containerPort("admin"));
                    }
                }
            }
            assertThat(portsFromAgents).as("agents reach the proxy port, not the admin port").containsExactly(containerPort("proxy"));

            PolicyFile policy = configMapPolicy();
            Set<Integer> egressPorts = new HashSet<>();
            boolean dns = false;
            List<IpRange> excepts4 = new ArrayList<>();
            List<IpRange> excepts6 = new ArrayList<>();
            for (Map<String, Object> rule : maps(np, "spec.egress")) {
                List<Map<String, Object>> to = maps(rule, "to");
                List<Map<String, Object>> ports = maps(rule, "ports");
                if (to.get(0).containsKey("ipBlock")) {
                    for (Map<String, Object> peer : to) {
                        IpRange cidr = IpRange.parse(string(peer, "ipBlock.cidr"));
                        assertThat(cidr.prefixLength()).isZero();
                        for (Object e : list(peer, "ipBlock.except")) {
                            IpRange except = IpRange.parse(String.valueOf(e));
                            assertThat(cidr.contains(except)).as("%s inside %s", except, cidr).isTrue();
                            assertThat(policy.policy().classifier().classify(except.first()).isDenied())
                                    .as("%s: the policy denies it too (the NetworkPolicy refuses nothing the policy allows)", except)
                                    .isTrue();
                            (cidr.isIpv4() ? excepts4 : excepts6).add(except);
                        }
                    }
                    ports.forEach(p -> {
                        assertThat(p.get("protocol")).isEqualTo("TCP");
                        egressPorts.add(integer(p, "port"));
                    });
                } else {
                    assertThat(to).hasSize(1);
                    assertThat(map(to.get(0), "podSelector.matchLabels")).containsEntry("k8s-app", "kube-dns");
                    assertThat(map(to.get(0), "namespaceSelector.matchLabels"))
                            .containsEntry("kubernetes.io/metadata.name", "kube-system");
                    assertThat(ports).extracting(p -> p.get("protocol") + "/" + p.get("port"))
                            .containsExactlyInAnyOrder("UDP/53", "TCP/53");
                    dns = true;
                }
            }
            assertThat(dns).as("the proxy resolves names through kube-dns").isTrue();
            assertThat(excepts4).as("IPv4 ipBlock").isNotEmpty();
            assertThat(excepts6).as("IPv6 ipBlock").isNotEmpty();
            for (int port : List.of(80, 443)) {
                assertThat(policy.policy().ports().contains(port)).isTrue();
            }
            for (int port = 1; port <= 65535; port++) {
                if (policy.policy().ports().contains(port)) {
                    assertThat(egressPorts).as("the NetworkPolicy opens the policy's port %d", port).contains(port);
                }
            }
            List<String> mustBeRefused = List.of("10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254",
                    "100.100.100.200", "100.64.0.1", "0.0.0.1", "224.0.0.1", "::1", "fe80::1", "fd00:ec2::254", "fc00::1",
                    "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1");
            for (String a : mustBeRefused) {
                var address = IpLiterals.parse(a);
                List<IpRange> excepts = a.contains(":") ? excepts6 : excepts4;
                assertThat(excepts).as("%s is excepted from the proxy's egress", a).anyMatch(r -> r.contains(address));
            }
        }

        @Test
        void podDisruptionBudgetCoversTheDeployment() {
            Map<String, Object> pdb = one("PodDisruptionBudget", "egressguard").root();
            assertThat(selects(map(pdb, "spec.selector"), podLabels())).isTrue();
            assertThat(integer(pdb, "spec.maxUnavailable")).isLessThan(integer(deployment().root(), "spec.replicas"));
        }
    }

    @Nested
    class Systemd {
        final SystemdUnit unit = SystemdUnit.parse(SYSTEMD.resolve("egressguard.service"));
        final SystemdUnit dropIn = SystemdUnit.parse(SYSTEMD.resolve("egressguard.service.d/10-private-listener.conf"));
        static final String S = "Service";

        @Test
        void runsAsATransientUserWithAReadOnlySystem() {
            Map<String, String> expected = Map.ofEntries(Map.entry("DynamicUser", "yes"), Map.entry("ProtectSystem", "strict"),
                    Map.entry("ProtectHome", "yes"), Map.entry("PrivateTmp", "yes"), Map.entry("PrivateDevices", "yes"),
                    Map.entry("NoNewPrivileges", "yes"), Map.entry("LockPersonality", "yes"),
                    Map.entry("RestrictNamespaces", "yes"), Map.entry("RestrictSUIDSGID", "yes"),
                    Map.entry("RestrictRealtime", "yes"), Map.entry("ProtectKernelTunables", "yes"),
                    Map.entry("ProtectKernelModules", "yes"), Map.entry("ProtectKernelLogs", "yes"),
                    Map.entry("ProtectControlGroups", "yes"), Map.entry("SystemCallArchitectures", "native"),
                    Map.entry("Restart", "on-failure"));
            expected.forEach((k, v) -> assertThat(unit.one(S, k)).as(k).isEqualTo(v));
            assertThat(unit.has(S, "User")).as("no fixed user: DynamicUser").isFalse();
        }

        @Test
        void hasNoCapabilitiesAndOnlyInternetAndLocalSockets() {
            assertThat(unit.all(S, "CapabilityBoundingSet")).as("empty: no capabilities at all").containsExactly("");
            assertThat(unit.all(S, "AmbientCapabilities")).containsExactly("");
            assertThat(Set.of(unit.one(S, "RestrictAddressFamilies").split("\\s+")))
                    .containsExactlyInAnyOrder("AF_INET", "AF_INET6", "AF_UNIX");
            assertThat(unit.all(S, "SystemCallFilter")).first().isEqualTo("@system-service");
            assertThat(unit.all(S, "SystemCallFilter")).allMatch(f -> f.equals("@system-service") || f.startsWith("~"));
        }

        @Test
        void leavesWriteExecuteMemoryToTheJit() {
            assertThat(unit.has(S, "MemoryDenyWriteExecute")).as("the JIT needs W+X memory").isFalse();
            assertThat(Yamls.read(unit.file())).contains("MemoryDenyWriteExecute= is deliberately NOT set");
        }

        @Test
        void reloadsWithSighupAndOutwaitsTheDrain() {
            assertThat(unit.one(S, "ExecReload")).isEqualTo("/bin/kill -HUP $MAINPID");
            PolicyFile policy = PolicyFileLoader.load(SYSTEMD.resolve("policy.yaml"));
            Duration stop = Duration.ofSeconds(Long.parseLong(unit.one(S, "TimeoutStopSec").replaceAll("s$", "")));
            assertThat(stop).isGreaterThan(policy.limits().drainTimeout());
            assertThat(unit.one(S, "KillSignal")).isEqualTo("SIGTERM");
            assertThat(unit.one(S, "SuccessExitStatus")).contains("143");
            assertThat(unit.one(S, "RestartPreventExitStatus")).as("an invalid policy is not retried").isEqualTo("2");
        }

        @Test
        void startsTheProxyOnThePolicyInItsConfigurationDirectoryAndAuditsIntoItsLogsDirectory() {
            String exec = unit.one(S, "ExecStart");
            assertThat(exec).startsWith("/usr/bin/java ").contains(" -jar /opt/egressguard/egressguard.jar proxy --policy /etc/"
                    + unit.one(S, "ConfigurationDirectory") + "/policy.yaml");
            PolicyFile policy = PolicyFileLoader.load(SYSTEMD.resolve("policy.yaml"));
            assertThat(PolicyLinter.lint(policy)).as("the host policy lints clean").isEmpty();
            assertThat(policy.listen().host()).as("loopback: the spec's first requirement").isEqualTo("127.0.0.1");
            Path audit = policy.audit().fileIfSet().orElseThrow();
            assertThat(audit.getParent()).isEqualTo(Path.of("/var/log", unit.one(S, "LogsDirectory")));
            assertThat(unit.has(S, "StateDirectory")).as("stateless").isFalse();
        }

        @Test
        void environmentFileAndDropInAreExamplesOfTheSameService() {
            assertThat(unit.one(S, "EnvironmentFile")).isEqualTo("-/etc/default/egressguard");
            SystemdUnit env = SystemdUnit.parse(SYSTEMD.resolve("egressguard.env"));
            assertThat(env.sections().keySet()).containsExactly("");
            assertThat(env.sections().get("").keySet()).containsExactlyInAnyOrder("JAVA_OPTS", "EGRESSGUARD_ARGS");
            assertThat(dropIn.sections().keySet()).containsExactly(S);
            assertThat(dropIn.one(S, "LoadCredential")).startsWith("proxy-password:/etc/egressguard/");
            assertThat(dropIn.one(S, "Environment")).contains("--listen 10.").contains("--admin-listen 127.0.0.1:");
            for (String hardening : List.of("DynamicUser", "ProtectSystem", "CapabilityBoundingSet", "SystemCallFilter",
                    "RestrictAddressFamilies", "NoNewPrivileges")) {
                assertThat(dropIn.has(S, hardening)).as("the drop-in leaves %s alone", hardening).isFalse();
            }
        }

        @Test
        void systemdAnalyzeVerifiesTheUnitAndRatesItsExposureLow(@TempDir Path dir) throws Exception {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
            Path unitFile = dir.resolve("egressguard.service");
            Files.copy(unit.file(), unitFile);
            Files.createDirectories(dir.resolve("egressguard.service.d"));
            Files.copy(dropIn.file(), dir.resolve("egressguard.service.d/10-private-listener.conf"));

            Commands.Result verify = Commands.run(dir, MINUTE, "/usr/bin/systemd-analyze", "verify", "--man=no",
                    unitFile.toString());
            assertThat(verify.exit()).as(verify.output()).isZero();
            assertThat(verify.output()).as("no warnings (unknown keys only warn)").isBlank();

            // Exposure 0.0 (best) .. 10.0; --threshold is in tenths. Today's: 1.1 ("OK").
            Commands.Result security = Commands.run(dir, MINUTE, "/usr/bin/systemd-analyze", "security", "--offline=yes",
                    "--threshold=20", "--no-pager", unitFile.toString());
            assertThat(security.exit()).as(security.output()).isZero();
            assertThat(security.output()).contains("Overall exposure level for egressguard.service");
        }
    }
}
