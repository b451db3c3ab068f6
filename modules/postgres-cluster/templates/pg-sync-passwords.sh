#!/bin/bash
# Apply the passwords stored in Secrets Manager to this node. Run at first boot by the bootstrap and,
# after raising password_version in Terraform, on both nodes through SSM Run Command.
# master: ALTER ROLE postgres / replicator. replica: refresh the .pgpass used for streaming replication.
set -euo pipefail
. /etc/clientctl/postgres.env

PGPASS=/var/lib/postgresql/.pgpass
REPL_PW="$(/usr/local/sbin/clientctl-secret "$REPLICATION_SECRET_ARN" password)"

if [ "$ROLE" = master ]; then
  SUPER_PW="$(/usr/local/sbin/clientctl-secret "$SUPERUSER_SECRET_ARN" password)"
  # Passwords reach psql through the environment (\getenv), never the command line or a file.
  export SUPER_PW REPL_PW
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres <<'SQL'
\getenv super_pw SUPER_PW
\getenv repl_pw REPL_PW
SET log_statement = 'none';
ALTER ROLE postgres PASSWORD :'super_pw';
SELECT 'CREATE ROLE replicator WITH REPLICATION LOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') \gexec
ALTER ROLE replicator WITH REPLICATION LOGIN PASSWORD :'repl_pw';
SQL
  unset SUPER_PW
else
  umask 077
  # replication: streaming and pg_basebackup; postgres: clientctl-pg-ensure-slot's SQL connection.
  printf '%s:%s:%s:replicator:%s\n' "$MASTER_HOST" "$PORT" replication "$REPL_PW" "$MASTER_HOST" "$PORT" postgres "$REPL_PW" > "$PGPASS.new"
  chown postgres:postgres "$PGPASS.new"
  mv "$PGPASS.new" "$PGPASS"
fi
unset REPL_PW
echo "clientctl-pg-sync-passwords: passwords applied on the $ROLE"
