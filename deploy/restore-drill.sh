#!/usr/bin/env bash
# Restore drill: restore the newest dump (or the one given) into a scratch database on the same
# server, check that it holds this release's schema and the same rows as the live database had,
# then drop it. Run it monthly and after every change to backups; a backup never restored is
# not a backup. The same steps, with DUNGHAN_DRILL_DATABASE set to the real name and the
# services stopped, are the restore itself (see the README's operations section).
#   ./restore-drill.sh [/var/backups/dunghan/dunghan-20261129T013000Z.dump]
set -euo pipefail
# As the schema owner when its URL is given (owner.env), else as the service's role.
database=${DUNGHAN_MIGRATION_DATABASE_URL:-${DUNGHAN_DATABASE_URL:?set DUNGHAN_DATABASE_URL (see dunghan.env.example)}}
dir=${DUNGHAN_BACKUP_DIR:-/var/backups/dunghan}
dump=${1:-$(ls -t "$dir"/dunghan-*.dump | head -1)}
live=${database/+psycopg/}
scratch_name=${DUNGHAN_DRILL_DATABASE:-dunghan_restore_drill}
server=${live%/*}                 # postgresql://user@host:port
query=""
[[ $live == *\?* ]] && query="?${live#*\?}"
admin="$server/postgres$query"
scratch="$server/$scratch_name$query"

psql -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS \"$scratch_name\"" \
    -c "CREATE DATABASE \"$scratch_name\""
trap 'psql -q "$admin" -c "DROP DATABASE IF EXISTS \"$scratch_name\"" >/dev/null' EXIT
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$scratch" "$dump"

counts="SELECT (SELECT version_num FROM alembic_version) || ' ' ||
               (SELECT count(*) FROM instances) || ' ' || (SELECT count(*) FROM audit_events)"
read -r revision instances audits < <(psql -tA "$scratch" -c "$counts")
echo "Bản sao lưu $dump: cấu trúc $revision, $instances hồ sơ/quy trình, $audits sự kiện nhật ký."
DUNGHAN_DATABASE_URL="postgresql+psycopg://${scratch#postgresql://}" \
    "${DUNGHAN_BIN:-/opt/dunghan/current/bin}/dunghan" check
echo "Diễn tập khôi phục thành công; cơ sở dữ liệu tạm $scratch_name đã được xoá."
