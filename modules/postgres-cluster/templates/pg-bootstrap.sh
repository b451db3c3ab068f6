#!/bin/bash
# First-boot bootstrap of a PostgreSQL node (cloud-init runcmd, once per instance). Idempotent: a volume
# that already holds a filesystem is never formatted, and an existing cluster on the data volume is
# adopted (instance replaced, volumes re-attached). Never prints a password.
set -euo pipefail
umask 022
. /etc/clientctl/postgres.env
export DEBIAN_FRONTEND=noninteractive
log() { echo "clientctl-pg-bootstrap[$ROLE]: $*"; }

install_deb() {
  local tmp
  tmp="$(mktemp --suffix=.deb)"
  curl -fsSL --retry 10 --retry-delay 6 -o "$tmp" "$1"
  apt-get install -y "$tmp"
  rm -f "$tmp"
}

# --- Agents: SSM (the only way in: no SSH, no key pair) and CloudWatch (logs, disk, StatsD) --------
if ! dpkg -s amazon-ssm-agent >/dev/null 2>&1; then
  install_deb "https://s3.$REGION.amazonaws.com/amazon-ssm-$REGION/latest/debian_amd64/amazon-ssm-agent.deb"
fi
systemctl enable --now amazon-ssm-agent
if ! dpkg -s amazon-cloudwatch-agent >/dev/null 2>&1; then
  install_deb "https://amazoncloudwatch-agent-$REGION.s3.$REGION.amazonaws.com/debian/amd64/latest/amazon-cloudwatch-agent.deb"
fi

# --- PostgreSQL from the PGDG repository, without Debian's automatic "main" cluster ------------------
sed -i -E 's/^#?\s*create_main_cluster\s*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y
apt-get install -y "postgresql-$PG_VERSION"

# --- Volumes: found by EBS volume id (NVMe names are not stable), formatted only when blank --------
device_of() { # volume-id device-name -> block device
  local nvme="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${1/-/}" xen="${2/\/dev\/sd//dev/xvd}" i
  for i in $(seq 1 120); do
    if [ -e "$nvme" ]; then readlink -f "$nvme"; return 0; fi
    if [ -e "$xen" ]; then echo "$xen"; return 0; fi
    sleep 5
  done
  log "volume $1 never appeared"; return 1
}

mount_volume() { # kind volume-id device-name mount-point
  local dev uuid
  dev="$(device_of "$2" "$3")"
  if ! blkid "$dev" >/dev/null 2>&1; then
    log "formatting blank $1 volume $2 ($dev)"
    mkfs.ext4 -q -L "pg-$1" "$dev"
  fi
  uuid="$(blkid -o value -s UUID "$dev")"
  mkdir -p "$4"
  grep -q "UUID=$uuid " /etc/fstab || echo "UUID=$uuid $4 ext4 defaults,noatime,nofail,x-systemd.device-timeout=300 0 2" >> /etc/fstab
  mountpoint -q "$4" || mount "$4"
  chown postgres:postgres "$4"
  chmod 0700 "$4"
}

mount_volume data "$VOLUME_DATA" "$DEVICE_DATA" "$MOUNT_DATA"
mount_volume wal "$VOLUME_WAL" "$DEVICE_WAL" "$MOUNT_WAL"
mount_volume backup "$VOLUME_BACKUP" "$DEVICE_BACKUP" "$MOUNT_BACKUP"

DATA="$MOUNT_DATA/$PG_VERSION/main"
WAL="$MOUNT_WAL/$PG_VERSION/main"
CONF="/etc/postgresql/$PG_VERSION/main"
install -d -o postgres -g postgres -m 0700 "$MOUNT_DATA/$PG_VERSION" "$MOUNT_WAL/$PG_VERSION" "$MOUNT_BACKUP/wal-archive"

# --- Cluster: adopt an existing one, or create it (master) / clone it (replica) ---------------------
if [ -f "$DATA/PG_VERSION" ]; then
  log "adopting the existing cluster on the data volume"
  [ -d "$CONF" ] || pg_createcluster -d "$DATA" -p "$PORT" "$PG_VERSION" main
  fresh=false
else
  install -d -o postgres -g postgres -m 0700 "$WAL"
  pg_createcluster -d "$DATA" -p "$PORT" "$PG_VERSION" main -- \
    --waldir="$WAL" --data-checksums --auth-local=peer --auth-host=scram-sha-256
  fresh=true
fi

mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 ))
cat > "$CONF/conf.d/10-clientctl.conf" <<CONFIG
# Written by clientctl-pg-bootstrap (modules/postgres-cluster).
listen_addresses = '*'
port = $PORT
password_encryption = scram-sha-256
ssl = on
shared_buffers = $(( mem_mb / 4 ))MB
effective_cache_size = $(( mem_mb * 3 / 4 ))MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
max_slot_wal_keep_size = ${MAX_SLOT_WAL_KEEP_MB}MB
hot_standby = on
hot_standby_feedback = on
archive_mode = on
archive_command = 'test ! -f $MOUNT_BACKUP/wal-archive/%f && cp %p $MOUNT_BACKUP/wal-archive/%f'
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = on
log_disconnections = on
CONFIG
if ! grep -q "clientctl" "$CONF/pg_hba.conf"; then
  cat >> "$CONF/pg_hba.conf" <<HBA
# clientctl: TLS and SCRAM only, from the client VPC only (the security group allows nothing else).
hostssl all          all        $VPC_CIDR scram-sha-256
hostssl replication  replicator $VPC_CIDR scram-sha-256
HBA
fi

if [ "$ROLE" = master ]; then
  systemctl enable --now "postgresql@$PG_VERSION-main"
  /usr/local/sbin/clientctl-pg-sync-passwords
  if [ "$REPLICA_ENABLED" = true ]; then
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres -c \
      "SELECT pg_create_physical_replication_slot('$SLOT_NAME') WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT_NAME')"
  fi
  cat > /etc/systemd/system/clientctl-pg-basebackup.service <<UNIT
[Unit]
Description=clientctl: PostgreSQL base backup to the backup volume
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/clientctl-pg-basebackup
UNIT
  cat > /etc/systemd/system/clientctl-pg-basebackup.timer <<UNIT
[Unit]
Description=clientctl: daily PostgreSQL base backup (before the DLM snapshot)
[Timer]
OnCalendar=*-*-* 01:30:00 UTC
Persistent=true
[Install]
WantedBy=timers.target
UNIT
  systemctl daemon-reload
  systemctl enable --now clientctl-pg-basebackup.timer
else
  /usr/local/sbin/clientctl-pg-sync-passwords # writes the replication .pgpass
  if [ "$fresh" = true ]; then
    systemctl stop "postgresql@$PG_VERSION-main" || true
    find "$DATA" "$WAL" -mindepth 1 -delete
    log "waiting for the master $MASTER_HOST:$PORT"
    for i in $(seq 1 360); do
      # The slot first (created on the master when missing: a replica added after the master's first boot).
      if /usr/local/sbin/clientctl-pg-ensure-slot && runuser -u postgres -- env PGPASSFILE=/var/lib/postgresql/.pgpass pg_basebackup \
        -h "$MASTER_HOST" -p "$PORT" -U replicator -D "$DATA" --waldir="$WAL" -X stream -S "$SLOT_NAME" -c fast -w; then
        break
      fi
      find "$DATA" "$WAL" -mindepth 1 -delete
      [ "$i" -lt 360 ] || { log "no base backup from the master after 60 minutes"; exit 1; }
      sleep 10
    done
  fi
  # An adopted replica (instance replaced) streams from the same slot; recreate it if the master lost it.
  [ "$fresh" = true ] || /usr/local/sbin/clientctl-pg-ensure-slot || log "could not check the slot on $MASTER_HOST yet; streaming retries"
  runuser -u postgres -- touch "$DATA/standby.signal"
  cat > "$CONF/conf.d/20-standby.conf" <<CONFIG
# Written by clientctl-pg-bootstrap: streaming replica of $MASTER_HOST.
primary_conninfo = 'host=$MASTER_HOST port=$PORT user=replicator passfile=/var/lib/postgresql/.pgpass sslmode=require application_name=replica'
primary_slot_name = '$SLOT_NAME'
CONFIG
  systemctl enable --now "postgresql@$PG_VERSION-main"
  cat > /etc/systemd/system/clientctl-pg-replication-lag.service <<UNIT
[Unit]
Description=clientctl: PostgreSQL replication lag to the CloudWatch agent
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/clientctl-pg-replication-lag
UNIT
  cat > /etc/systemd/system/clientctl-pg-replication-lag.timer <<UNIT
[Unit]
Description=clientctl: PostgreSQL replication lag every minute
[Timer]
OnBootSec=2min
OnUnitActiveSec=1min
[Install]
WantedBy=timers.target
UNIT
  systemctl daemon-reload
  systemctl enable --now clientctl-pg-replication-lag.timer
fi

/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c file:/etc/clientctl/cloudwatch-agent.json
log "done"
