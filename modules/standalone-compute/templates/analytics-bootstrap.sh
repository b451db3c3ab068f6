#!/bin/bash
# First-boot bootstrap of the analytics instance (cloud-init runcmd): SSM and CloudWatch agents, data
# volume on /data (formatted only when blank, so a re-attached volume keeps its data).
set -euo pipefail
. /etc/clientctl/analytics.env
export DEBIAN_FRONTEND=noninteractive
log() { echo "clientctl-analytics-bootstrap: $*"; }

install_deb() {
  local tmp
  tmp="$(mktemp --suffix=.deb)"
  curl -fsSL --retry 10 --retry-delay 6 -o "$tmp" "$1"
  apt-get install -y "$tmp"
  rm -f "$tmp"
}

if ! dpkg -s amazon-ssm-agent >/dev/null 2>&1; then
  install_deb "https://s3.$REGION.amazonaws.com/amazon-ssm-$REGION/latest/debian_amd64/amazon-ssm-agent.deb"
fi
systemctl enable --now amazon-ssm-agent
if ! dpkg -s amazon-cloudwatch-agent >/dev/null 2>&1; then
  install_deb "https://amazoncloudwatch-agent-$REGION.s3.$REGION.amazonaws.com/debian/amd64/latest/amazon-cloudwatch-agent.deb"
fi

nvme="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID/-/}"
xen="${DATA_DEVICE/\/dev\/sd//dev/xvd}"
dev=""
for _ in $(seq 1 120); do
  if [ -e "$nvme" ]; then dev="$(readlink -f "$nvme")"; break; fi
  if [ -e "$xen" ]; then dev="$xen"; break; fi
  sleep 5
done
[ -n "$dev" ] || { log "data volume $DATA_VOLUME_ID never appeared"; exit 1; }
if ! blkid "$dev" >/dev/null 2>&1; then
  log "formatting blank data volume $DATA_VOLUME_ID ($dev)"
  mkfs.ext4 -q -L analytics-data "$dev"
fi
uuid="$(blkid -o value -s UUID "$dev")"
mkdir -p "$DATA_MOUNT"
grep -q "UUID=$uuid " /etc/fstab || echo "UUID=$uuid $DATA_MOUNT ext4 defaults,noatime,nofail,x-systemd.device-timeout=300 0 2" >> /etc/fstab
mountpoint -q "$DATA_MOUNT" || mount "$DATA_MOUNT"
mkdir -p "$DATA_MOUNT/logs"

/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c file:/etc/clientctl/cloudwatch-agent.json
log "done"
