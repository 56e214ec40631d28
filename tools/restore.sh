#!/usr/bin/env bash
# Restore a dump of tools/backup.sh into an EMPTY PostgreSQL database, bring its schema to the
# code's version and run the retention rules, so that nothing deleted since the dump was made
# comes back (docs/operations.md, "Backups"). Start the app afterwards.
#
#   TRIVSEL_DATABASE_URL=postgresql+psycopg://trivsel:…@db:5432/trivsel_restored \
#     tools/restore.sh FILE
#
# The database must exist and hold no tables (createdb it first): a restore never overwrites.
# The app needs the same TRIVSEL_CPR_KEY (or, without one, TRIVSEL_SECRET_KEY) as when the dump
# was made, or the CPR numbers in it cannot be read.
set -euo pipefail

file="${1:?usage: tools/restore.sh FILE}"
url="${TRIVSEL_DATABASE_URL:?set TRIVSEL_DATABASE_URL to the empty PostgreSQL database}"
case "$url" in
  postgresql*) ;;
  *) echo "restore.sh restores into PostgreSQL; for SQLite see docs/operations.md" >&2; exit 2 ;;
esac
libpq="${url/postgresql+psycopg:/postgresql:}"
trivsel="${TRIVSEL_COMMAND:-trivsel}"

tables=$(psql --no-psqlrc -Atq --dbname="$libpq" \
  -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != "0" ]; then
  echo "refused: the database already holds $tables tables; restore into an empty one" >&2
  exit 1
fi

pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$libpq" "$file"
"$trivsel" db upgrade          # a dump of an older release: migrate it to this one
"$trivsel" retention run       # what passed its retention time since the dump goes again
echo "restored $file"
