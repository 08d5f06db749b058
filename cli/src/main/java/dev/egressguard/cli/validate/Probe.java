package dev.egressguard.cli.validate;

import java.util.Objects;
import java.util.Optional;

/**
 * One request validate sends through the proxy.
 *
 * @param id        unique in a run, stable across runs: {@code group/host/method}
 * @param host      the host exactly as it goes into the URL ({@code [::1%25lo]}, {@code 0x7f000001})
 * @param form      what spelling or boundary this is ("first", "octal", "IPv4-mapped")
 * @param landing   how the outcome is judged
 * @param port      the destination port; 0 for canary probes, whose port is their canary's
 * @param alsoBind  for canary probes: a loopback address besides 127.0.0.1 and ::1 the canary must listen on
 * @param path      the path (and query) of a public URL; canary and remote probes use their own
 * @param attempts  how many times the request is sent (DNS rebinding: more than once)
 */
public record Probe(String id, ProbeGroup group, String host, String form, ProbeMethod method, Landing landing, int port,
                    Optional<String> alsoBind, String path, int attempts) {
    public Probe {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(landing, "landing");
        Objects.requireNonNull(alsoBind, "alsoBind");
        Objects.requireNonNull(path, "path");
        if (attempts < 1 || attempts > 10) {
            throw new IllegalArgumentException("attempts: " + attempts + " (expected: 1..10)");
        }
        if (port < 0 || port > 65535 || (landing != Landing.CANARY && port == 0)) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535, or 0 for a canary probe)");
        }
    }

    /** The host as a CONNECT authority writes it: a zone id unescaped ({@code [::1%lo]}). */
    public String authorityHost() {
        return host.replace("%25", "%");
    }

    /** The host as the report shows it: as sent, with the port for remote and public probes. */
    public String destination() {
        return landing == Landing.CANARY ? host : host + ":" + port;
    }

    /** True for the probes that need a canary listener. */
    public boolean usesCanary() {
        return landing == Landing.CANARY;
    }
}
