#!/bin/bash
# Master only, daily (systemd timer): a compressed base backup on the backup volume, keeping the newest
# three, and archived WAL older than the oldest kept base backup removed. The backup volume is
# snapshotted daily by DLM, so each snapshot holds a consistent, restorable backup.
set -euo pipefail
. /etc/clientctl/postgres.env

BASE="$MOUNT_BACKUP/base"
target="$BASE/$(date -u +%Y%m%dT%H%M%SZ)"
runuser -u postgres -- mkdir -p "$BASE"
runuser -u postgres -- pg_basebackup -p "$PORT" -D "$target" -Ft -z -X stream -c fast
ls -1d "$BASE"/*/ | sort | head -n -3 | xargs -r rm -rf
oldest="$(ls -1d "$BASE"/*/ | sort | head -n 1)"
find "$MOUNT_BACKUP/wal-archive" -type f ! -newer "$oldest" -delete
