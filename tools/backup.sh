#!/usr/bin/env bash
# Back up Trivselsguiden's PostgreSQL database: a pg_dump in the custom format (compressed,
# restored with tools/restore.sh), written under a temporary name and renamed when complete,
# readable by its owner only. The file holds children's records and encrypted CPR numbers:
# keep it encrypted at rest (docs/operations.md, "Backups").
#
#   TRIVSEL_DATABASE_URL=postgresql+psycopg://trivsel:…@db:5432/trivsel tools/backup.sh [FILE]
#
# FILE defaults to trivsel-<UTC time>.dump in the current directory; the path is printed.
# pg_dump's major version must be the server's or newer.
set -euo pipefail

url="${TRIVSEL_DATABASE_URL:?set TRIVSEL_DATABASE_URL to the PostgreSQL database}"
case "$url" in
  postgresql*) ;;
  *) echo "backup.sh backs up PostgreSQL; for SQLite see docs/operations.md" >&2; exit 2 ;;
esac
url="${url/postgresql+psycopg:/postgresql:}"   # libpq knows no SQLAlchemy driver name
out="${1:-trivsel-$(date -u +%Y%m%dT%H%M%SZ).dump}"

umask 077
pg_dump --format=custom --no-owner --no-privileges --file="$out.partial" --dbname="$url"
pg_restore --list "$out.partial" >/dev/null   # a complete, readable archive
mv "$out.partial" "$out"
echo "$out"
