#!/usr/bin/env bash
# Does the API conform to its own OpenAPI document? schemathesis (from PyPI; no one here wrote it)
# fuzzes every operation of the running engine (`npm start` on a fresh data folder) with a token
# for each role, and fails on any server error, undocumented status code or content type, a
# response that does not match its schema, or a method a route does not declare answered without
# 405 and Allow. Usage: bash scripts/conformance.sh [max examples per operation, default 25]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
examples="${1:-25}"
SCHEMATHESIS_VERSION=4.32.5
venv="$root/.temporal/schemathesis"

if [ "$("$venv/bin/st" --version 2>/dev/null | grep -o '[0-9.]*$')" != "$SCHEMATHESIS_VERSION" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
data="$(mktemp -d)"
export FOLLOWUP_DATA_DIR="$data/var" PORT="$(free_port)" TEMPORAL_DEV_PORT="$(free_port)" TEMPORAL_UI_PORT="$(free_port)"
export FOLLOWUP_OPERATOR=operator@cted.example.org
unset TEMPORAL_ADDRESS SMTP_URL FOLLOWUP_POLICY FOLLOWUP_DIRECTORY

setsid npm start >"$data/engine.log" 2>&1 &
engine=$!
stop() {
  kill -INT -- "-$engine" 2>/dev/null || true
  wait "$engine" 2>/dev/null || true
  # What the engine logged about a request it could not answer: the lead to a server error.
  grep -a 'HTTP error' "$data/engine.log" || true
  rm -rf "$data"
}
trap stop EXIT
for _ in $(seq 1 240); do
  grep -q 'Press Ctrl-C to stop.' "$data/engine.log" && break
  kill -0 "$engine" 2>/dev/null || { cat "$data/engine.log"; exit 1; }
  sleep 0.5
done
grep -q 'Press Ctrl-C to stop.' "$data/engine.log" || { cat "$data/engine.log"; echo 'npm start did not become ready'; exit 1; }

# A real visit under the id the document gives as its example, so success responses are checked too.
today="$(date -u +%F)"
bin/followup visits start --number 166 --state POL --type comprehensive --start "$today" --end "$today" \
  --case-officer officer@cted.example.org --state-contact mission@poland.example.org --state-name Poland >/dev/null

token() { bin/followup users add --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
declare -A tokens=(
  [cted]="$(token --role cted --email officer@cted.example.org)"
  [secretariat]="$(token --role secretariat --email secretariat@un.example.org)"
  [committee]="$(token --role committee --email member@committee.example.org)"
  [chair]="$(token --role chair --email chair@committee.example.org)"
  [state]="$(token --role state --state POL --email mission@poland.example.org)"
  [partner]="$(token --role partner --organisation UNODC --email ta@unodc.example.org)"
)

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance
checks="$checks,response_schema_conformance,unsupported_method,allow_header_conformance"
status=0
# schemathesis keeps its caches in the folder it runs in: the throwaway one, not the clone.
cd "$data"
for role in cted secretariat committee chair state partner; do
  echo "== schemathesis as $role"
  "$venv/bin/st" --no-color run "http://127.0.0.1:$PORT/openapi.json" \
    --header "Authorization: Bearer ${tokens[$role]}" --checks "$checks" \
    --max-examples "$examples" --workers 1 --seed 8 --suppress-health-check all \
    --request-timeout 30 --warnings off || status=1
done
cd "$root"
exit "$status"
