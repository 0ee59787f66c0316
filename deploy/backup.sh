#!/usr/bin/env bash
# Back up the database with pg_dump (custom format, compressed), check that the dump reads
# back, and delete dumps older than DUNGHAN_BACKUP_KEEP_DAYS (14). Prints the dump's path.
# Run nightly by dunghan-backup.timer; by hand: sudo -u dunghan --preserve-env ./backup.sh
set -euo pipefail
# As the schema owner when its URL is given (owner.env), else as the service's role.
database=${DUNGHAN_MIGRATION_DATABASE_URL:-${DUNGHAN_DATABASE_URL:?set DUNGHAN_DATABASE_URL (see dunghan.env.example)}}
dir=${DUNGHAN_BACKUP_DIR:-/var/backups/dunghan}
keep=${DUNGHAN_BACKUP_KEEP_DAYS:-14}
url=${database/+psycopg/}  # libpq reads the URL without SQLAlchemy's driver name

umask 077
mkdir -p "$dir"
file="$dir/dunghan-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$url"
pg_restore --list "$file.partial" >/dev/null  # a truncated or corrupt dump fails here
mv "$file.partial" "$file"
find "$dir" -name 'dunghan-*.dump' -mtime +"$keep" -delete
echo "$file"
