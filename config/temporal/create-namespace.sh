#!/bin/sh
# The engine's namespace, created once the Temporal server answers (temporalio/admin-tools image, as in
# temporalio/samples-server's compose/scripts/create-namespace.sh). Idempotent: an existing namespace is
# left as it is. The engine registers its own search attributes when it connects.
set -eu
ns="${DEFAULT_NAMESPACE:-default}"
address="${TEMPORAL_ADDRESS:-temporal:7233}"
retention="${NAMESPACE_RETENTION:-365d}"

tries=0
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "Temporal at $address is not healthy"; exit 1; }
  echo "Waiting for Temporal at $address..."
  sleep 2
done

if temporal operator namespace describe -n "$ns" --address "$address" >/dev/null 2>&1; then
  echo "Namespace '$ns' already exists"
else
  temporal operator namespace create -n "$ns" --retention "$retention" --address "$address"
  echo "Namespace '$ns' created (retention $retention)"
fi
