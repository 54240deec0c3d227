#!/bin/sh
# Temporal's schema in PostgreSQL, run once per `docker compose up` by the temporalio/admin-tools image
# (the step the deprecated temporalio/auto-setup image used to run inside the server). As in
# temporalio/samples-server's compose/scripts/setup-postgres.sh: create each database, set up the
# versioning tables, then apply every versioned schema change. Safe to run again: an existing database
# and a schema already past 0.0 are left as they are, and update-schema applies only what is newer
# (so a new admin-tools version migrates the schema before the new server starts).
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
port="${DB_PORT:-5432}"

echo "Waiting for PostgreSQL on ${POSTGRES_SEEDS}:${port}..."
tries=0
until nc -z -w 5 "$POSTGRES_SEEDS" "$port"; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "PostgreSQL did not answer"; exit 1; }
  sleep 2
done

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$port" "$@"; }
schema=/etc/temporal/schema/postgresql/v12

sql --db temporal create
sql --db temporal setup-schema -v 0.0
sql --db temporal update-schema -d "$schema/temporal/versioned"

sql --db temporal_visibility create
sql --db temporal_visibility setup-schema -v 0.0
sql --db temporal_visibility update-schema -d "$schema/visibility/versioned"

echo "Temporal schema ready (temporal, temporal_visibility)"
