#!/usr/bin/env bash
# Installs Vigil as a systemd service on one server (Debian or alike), from a built source tree:
#
#   mvn -q package -DskipTests          # builds deploy/target/vigil-server.jar
#   sudo deploy/systemd/install.sh      # then edit /etc/vigil/vigil.env and: systemctl enable --now vigil
#
# What it does: creates the system user vigil; installs the jar and scripts under /opt/vigil, the unit as
# /etc/systemd/system/vigil.service, the settings as /etc/vigil/vigil.env (kept if present: an upgrade never
# overwrites them) and the data directory /var/lib/vigil (owned by vigil, private); checks that a Java 21
# or newer is there for vigil-start to find. Running it again upgrades the jar and scripts in place.
#
#   --root DIR   install into DIR instead of / (to inspect or package the result); no user is created,
#                nothing is chowned and systemd is not told
#   --jar FILE   the server jar (default: deploy/target/vigil-server.jar of this source tree)
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
source_tree=$(cd "$here/../.." && pwd)
root=""
jar=$source_tree/deploy/target/vigil-server.jar

while [ $# -gt 0 ]; do
  case $1 in
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    --jar) jar=${2:?--jar needs a file}; shift 2 ;;
    *) echo "install.sh: unknown option $1 (options: --root DIR, --jar FILE)" >&2; exit 2 ;;
  esac
done

if [ ! -r "$jar" ]; then
  echo "install.sh: no server jar at $jar; build it first (mvn -q package -DskipTests) or pass --jar" >&2
  exit 2
fi
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo), or with --root DIR to install into a directory" >&2
  exit 2
fi

opt=$root/opt/vigil
etc=$root/etc/vigil
data=$root/var/lib/vigil
unit_dir=$root/etc/systemd/system

if [ -z "$root" ] && ! id -u vigil >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/vigil --no-create-home --shell /usr/sbin/nologin \
          --comment "Vigil server" vigil
  echo "install.sh: created the system user vigil"
fi

install -d -m 0755 "$opt" "$opt/bin" "$opt/lib" "$opt/doc" "$unit_dir"
# The jar is replaced by a rename, so a running server keeps reading the old one until it restarts.
install -m 0644 "$jar" "$opt/lib/vigil-server.jar.new"
mv -f "$opt/lib/vigil-server.jar.new" "$opt/lib/vigil-server.jar"
for script in vigil-start vigil-health vigil-backup vigil-restore; do
  install -m 0755 "$source_tree/deploy/bin/$script" "$opt/bin/$script"
done
install -m 0644 "$source_tree/docs/operations.md" "$opt/doc/operations.md"
install -m 0644 "$here/vigil.service" "$unit_dir/vigil.service"

install -d -m 0750 "$etc"
if [ -e "$etc/vigil.env" ]; then
  echo "install.sh: kept the existing $etc/vigil.env (the new example is $opt/doc/vigil.env.example)"
else
  install -m 0640 "$here/vigil.env" "$etc/vigil.env"
fi
install -m 0644 "$here/vigil.env" "$opt/doc/vigil.env.example"
install -d -m 0750 "$data"

if [ -z "$root" ]; then
  chown root:vigil "$etc" "$etc/vigil.env"
  chown vigil:vigil "$data"
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  else
    echo "install.sh: systemd is not running here; the unit is installed but not loaded"
  fi
fi

# Tell now, not at the first start, when no Java 21 is there.
if ! "$opt/bin/vigil-start" --check; then
  echo "install.sh: installed, but the server cannot start until a Java 21 or newer is installed (see above)" >&2
fi
echo "install.sh: installed into ${root:-/}. Next: edit /etc/vigil/vigil.env, then systemctl enable --now vigil;" \
     "logs: journalctl -u vigil -f"
