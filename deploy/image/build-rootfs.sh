#!/usr/bin/env bash
# Builds the root file system of the egressguard OCI image into OUT (a directory), offline:
#   OUT/opt/java          a jlink'ed JRE made of the build JDK's own jmods (no base image to pull)
#   OUT/lib..., OUT/lib64 the shared libraries that JRE and Netty's epoll library need, copied from
#                         this build machine as ldd resolves them (real files, no symlinks)
#   OUT/app/egressguard.jar
#   OUT/usr/lib/locale/C.utf8
#   OUT/etc/{passwd,group,nsswitch.conf}, OUT/tmp
# Jib then packs OUT onto `scratch` (deploy/pom.xml, profile `image`).
#
# usage: build-rootfs.sh JAR OUT MODULES
#   JAR      the runnable jar (cli/target/egressguard.jar)
#   OUT      output directory, recreated
#   MODULES  comma-separated JDK modules for jlink
# JAVA_HOME selects the JDK (its jmods/ directory is required); default: the one on PATH.
set -euo pipefail

jar="$(readlink -f "$1")" out="$2" modules="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[ -d "$java_home/jmods" ] || { echo "build-rootfs: $java_home/jmods is missing (install the full JDK, e.g. openjdk-17-jdk)" >&2; exit 2; }
[ -f "$jar" ] || { echo "build-rootfs: $jar is missing (mvn -pl cli -am install -DskipTests)" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/app" "$out/tmp"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. Every module the jar's classes use must be in MODULES, except java.desktop: only SnakeYAML's
#    JavaBean introspection needs it, and the policy loader uses SafeConstructor (no beans).
(cd "$work" && mkdir classes && cd classes && "$java_home/bin/jar" xf "$jar")
rm -rf "$work/classes/META-INF/versions"
needed="$("$java_home/bin/jdeps" --ignore-missing-deps --list-deps "$work/classes" | awk '{print $1}' | grep -v '^JDK' || true)"
for m in $needed; do
  [ "$m" = java.desktop ] && continue
  case ",$modules," in *",$m,"*) ;; *) echo "build-rootfs: the jar needs module $m; add it to image.jlink.modules" >&2; exit 2 ;; esac
done

# 2. The JRE.
"$java_home/bin/jlink" --module-path "$java_home/jmods" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/opt/java"

# 3. Shared libraries: whatever ldd resolves for every ELF file of the JRE and for the native
#    libraries inside the jar (Netty's epoll transport, extracted to /tmp at run time).
copy_lib() { # copy the real file behind a path to the same path under OUT
  local src="$1" dest="$out$1"
  [ -e "$dest" ] && return 0
  mkdir -p "$(dirname "$dest")"
  cp -L "$src" "$dest"
  chmod 0755 "$dest"
}
elves=$(find "$out/opt/java" "$work/classes/META-INF/native" -type f \( -name '*.so' -o -path '*/bin/*' \) 2>/dev/null || true)
for f in $elves; do
  head -c 4 "$f" | grep -q 'ELF' || continue
  # "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
  while read -r lib; do
    case "$lib" in "$out"/*|"$work"/*) continue ;; esac # the JRE's own libraries
    copy_lib "$lib"
  done < <(ldd "$f" 2>/dev/null | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
done
[ -n "$(find "$out/lib64" "$out/lib" "$out/usr/lib" -name 'ld-linux*' 2>/dev/null)" ] || { echo "build-rootfs: no dynamic loader found by ldd" >&2; exit 2; }

# 4. The C.UTF-8 locale (LANG=C.UTF-8 in the image): glibc builds in only C/POSIX, and Java 17
#    would otherwise read and write file names and standard output as ASCII.
[ -d /usr/lib/locale/C.utf8 ] || { echo "build-rootfs: /usr/lib/locale/C.utf8 is missing (Debian: libc-bin)" >&2; exit 2; }
mkdir -p "$out/usr/lib/locale"
cp -rL /usr/lib/locale/C.utf8 "$out/usr/lib/locale/"

# 5. The application and the few files a JVM expects in /etc.
cp "$jar" "$out/app/egressguard.jar"
cp -r "$here/rootfs/." "$out/"
chmod 1777 "$out/tmp"
echo "build-rootfs: $(du -sh "$out" | cut -f1) in $out (modules: $modules)"
