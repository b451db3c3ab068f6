#!/bin/bash
# Replica only, every minute (systemd timer): replay lag and WAL receiver state to the CloudWatch
# agent's StatsD listener (namespace CWAgent, dimension InstanceId).
set -euo pipefail
. /etc/clientctl/postgres.env

q() { runuser -u postgres -- psql -X -At -p "$PORT" -d postgres -c "$1"; }
lag="$(q "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0
                      WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                      ELSE COALESCE(round(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()))::int, 0) END")"
streaming="$(q "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")"
printf 'postgres_replication_lag_seconds:%s|g\n' "$lag" > /dev/udp/127.0.0.1/8125
printf 'postgres_wal_receiver_streaming:%s|g\n' "$streaming" > /dev/udp/127.0.0.1/8125
