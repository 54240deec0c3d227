#!/bin/sh
# The engine's own database and role in the compose file's PostgreSQL, beside Temporal's: run once per
# `docker compose up` (postgres image, psql as the superuser). Idempotent, so it also works on a data
# volume created before this step existed; the password is set again each time from FOLLOWUP_DB_PASSWORD.
# The engine creates and migrates its tables itself when it starts.
set -eu
: "${FOLLOWUP_DB_PASSWORD:?FOLLOWUP_DB_PASSWORD is required}"
export PGPASSWORD="${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
tries=0
until pg_isready -q -h "${PGHOST:-postgresql}" -U "${POSTGRES_USER:-temporal}"; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "PostgreSQL did not answer"; exit 1; }
  sleep 2
done
psql -v ON_ERROR_STOP=1 -h "${PGHOST:-postgresql}" -U "${POSTGRES_USER:-temporal}" -d postgres \
  -v pw="$FOLLOWUP_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE followup LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'followup')\gexec
ALTER ROLE followup WITH LOGIN PASSWORD :'pw';
SELECT 'CREATE DATABASE followup OWNER followup' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'followup')\gexec
REVOKE ALL ON DATABASE followup FROM PUBLIC;
SQL
echo "Database followup ready"
