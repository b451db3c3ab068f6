#!/bin/bash
# Replica only, on every boot before it streams: make sure the master has the physical replication slot
# this replica streams from. The master creates the slot at its own first boot, and only if the replica was
# enabled then; a replica added later (replica_enabled switched on for a running master) found no slot and
# `pg_basebackup -S replica` failed for ever. Idempotent (creates the slot only when it is missing), and
# reserves WAL at once so nothing the base backup needs is recycled. The replicator role may do this: the
# REPLICATION attribute allows pg_create_physical_replication_slot. Never prints a password.
set -euo pipefail
. "${CLIENTCTL_PG_ENV:-/etc/clientctl/postgres.env}"

runuser -u postgres -- env PGPASSFILE=/var/lib/postgresql/.pgpass psql -X -q -w -At -v ON_ERROR_STOP=1 \
  "host=$MASTER_HOST port=$PORT dbname=postgres user=replicator sslmode=require connect_timeout=10" -c \
  "SELECT pg_create_physical_replication_slot('$SLOT_NAME', true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT_NAME')" \
  >/dev/null
echo "clientctl-pg-ensure-slot: slot $SLOT_NAME present on $MASTER_HOST"
