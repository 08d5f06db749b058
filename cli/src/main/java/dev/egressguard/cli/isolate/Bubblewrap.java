package dev.egressguard.cli.isolate;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The sandbox {@code run --isolate} puts the command in: bubblewrap with a new network namespace
 * (its only interface the loopback, which bwrap brings up), a new PID namespace (the command can
 * neither see nor signal nor trace processes outside, and nothing in it outlives the sandbox), a
 * user namespace when not root (bwrap's own choice; the command keeps its uid), no capabilities
 * even for root, the filesystem as it is except the local name-service sockets (nscd,
 * systemd-resolved, avahi), and a session of its own (no controlling terminal: {@code run} passes
 * TERM, INT and HUP on itself). {@code setsid} comes from util-linux.
 */
public final class Bubblewrap {
    /** The bubblewrap binary to use instead of {@code bwrap} on {@code PATH}. */
    public static final String ENV_BWRAP = "EGRESSGUARD_BWRAP";
    /** Local resolvers reachable through the filesystem, not the network: hidden under an empty tmpfs. */
    static final List<Path> NAME_SERVICE_DIRS = List.of(Path.of("/run/nscd"), Path.of("/var/run/nscd"),
            Path.of("/run/systemd/resolve"), Path.of("/run/avahi-daemon"), Path.of("/var/run/avahi-daemon"));
    private static final long PREFLIGHT_SECONDS = 30;

    private final Path bwrap;
    private final Path setsid;
    private final List<String> flags;

    private Bubblewrap(Path bwrap, Path setsid, List<String> flags) {
        this.bwrap = bwrap;
        this.setsid = setsid;
        this.flags = flags;
    }

    /**
     * bwrap ({@code $EGRESSGUARD_BWRAP}, else {@code bwrap} on {@code PATH}) and setsid.
     *
     * @throws IsolationUnavailableException when either is missing, or this is not Linux
     */
    public static Bubblewrap locate(Map<String, String> env) {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(java.util.Locale.ROOT).startsWith("linux")) {
            throw new IsolationUnavailableException("network namespaces need Linux, and this is " + os);
        }
        String override = env.get(ENV_BWRAP);
        Path bwrap;
        if (override != null && !override.isBlank()) {
            bwrap = Path.of(override.strip());
            if (!Files.isRegularFile(bwrap) || !Files.isExecutable(bwrap)) {
                throw new IsolationUnavailableException("bubblewrap is missing: " + ENV_BWRAP + "=" + bwrap
                        + " is not an executable file (unset it to use bwrap from PATH, or install bubblewrap: apt-get install bubblewrap)");
            }
        } else {
            bwrap = onPath(env, "bwrap").orElseThrow(() -> new IsolationUnavailableException(
                    "bubblewrap (bwrap) is not installed; install it (Debian and Ubuntu: apt-get install bubblewrap;"
                            + " Fedora: dnf install bubblewrap) or point " + ENV_BWRAP + " at it"));
        }
        Path setsid = onPath(env, "setsid").orElseThrow(() -> new IsolationUnavailableException(
                "setsid is not installed; install util-linux"));
        return new Bubblewrap(bwrap, setsid, flags(NAME_SERVICE_DIRS));
    }

    static List<String> flags(List<Path> nameServiceDirs) {
        List<String> f = new ArrayList<>(List.of("--die-with-parent", "--unshare-net", "--unshare-pid", "--cap-drop", "ALL",
                "--dev-bind", "/", "/", "--proc", "/proc"));
        Set<Path> masked = new LinkedHashSet<>();
        for (Path dir : nameServiceDirs) {
            try {
                if (Files.isDirectory(dir)) {
                    masked.add(dir.toRealPath()); // /var/run is usually /run
                }
            } catch (IOException | SecurityException unreadable) {
                // not there for us, not there for the command
            }
        }
        for (Path dir : masked) {
            f.add("--tmpfs");
            f.add(dir.toString());
        }
        return List.copyOf(f);
    }

    private static Optional<Path> onPath(Map<String, String> env, String name) {
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Makes a sandbox around {@code true} first, so that a machine that cannot make namespaces is
     * told why, with bwrap's own words and the knob to change, before anything else starts.
     *
     * @throws IsolationUnavailableException when bwrap fails
     */
    public void preflight(Path procSys) {
        List<String> cmd = new ArrayList<>();
        cmd.add(bwrap.toString());
        cmd.addAll(flags);
        cmd.addAll(List.of("--", "true"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        String output;
        int status;
        try {
            Process p = pb.start();
            if (!p.waitFor(PREFLIGHT_SECONDS, TimeUnit.SECONDS)) { // bwrap says little: its pipe never fills
                p.destroyForcibly();
                throw new IsolationUnavailableException(bwrap + " did not make a sandbox within " + PREFLIGHT_SECONDS + " s");
            }
            status = p.exitValue();
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IsolationUnavailableException("cannot run " + bwrap + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolationUnavailableException("interrupted while making a sandbox");
        }
        if (status != 0) {
            String said = output.lines().map(String::strip).filter(l -> !l.isEmpty()).limit(3).collect(Collectors.joining(" / "));
            throw new IsolationUnavailableException("cannot create a network namespace here (" + bwrap + " exited " + status
                    + (said.isEmpty() ? "" : ": " + said) + "): " + String.join("; ", NamespaceKnobs.hints(procSys)));
        }
    }

    /** {@code setsid --wait bwrap FLAGS -- inner...}. */
    public List<String> command(List<String> inner) {
        List<String> cmd = new ArrayList<>(List.of(setsid.toString(), "--wait", bwrap.toString()));
        cmd.addAll(flags);
        cmd.add("--");
        cmd.addAll(inner);
        return cmd;
    }
}
