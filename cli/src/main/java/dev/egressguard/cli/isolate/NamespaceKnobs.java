package dev.egressguard.cli.isolate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Why namespaces cannot be made here, from the kernel knobs that forbid them, with the command
 * that lifts each one. Read from {@code /proc/sys} (a parameter, so that tests can hand in a tree
 * of their own).
 */
final class NamespaceKnobs {
    private NamespaceKnobs() {}

    /** One sentence per knob that forbids unprivileged user namespaces; a general one when none does. */
    static List<String> hints(Path procSys) {
        List<String> hints = new ArrayList<>();
        if (knob(procSys, "kernel/unprivileged_userns_clone").filter("0"::equals).isPresent()) {
            hints.add("unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0); enable them with"
                    + " `sysctl -w kernel.unprivileged_userns_clone=1` (persist it in /etc/sysctl.d/)");
        }
        if (knob(procSys, "user/max_user_namespaces").filter("0"::equals).isPresent()) {
            hints.add("user namespaces are limited to none (user.max_user_namespaces=0); allow them with"
                    + " `sysctl -w user.max_user_namespaces=15000`");
        }
        if (knob(procSys, "kernel/apparmor_restrict_unprivileged_userns").filter("1"::equals).isPresent()) {
            hints.add("AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1); give bwrap"
                    + " an AppArmor profile that allows them (Ubuntu: /etc/apparmor.d/bwrap-userns-restrict) or"
                    + " `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`");
        }
        if (hints.isEmpty()) {
            hints.add("user and network namespaces are not allowed to this process: run as root, or enable unprivileged user"
                    + " namespaces (`sysctl -w kernel.unprivileged_userns_clone=1` on older Debian kernels,"
                    + " `sysctl -w user.max_user_namespaces=15000`); in a container, allow unshare(2) (e.g. Docker's"
                    + " --security-opt seccomp=unconfined --security-opt apparmor=unconfined); under systemd, RestrictNamespaces="
                    + " must allow user and net");
        }
        return hints;
    }

    private static Optional<String> knob(Path procSys, String name) {
        try {
            return Optional.of(Files.readString(procSys.resolve(name), StandardCharsets.US_ASCII).strip());
        } catch (IOException | SecurityException absent) {
            return Optional.empty();
        }
    }
}
