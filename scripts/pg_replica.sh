#!/usr/bin/env bash
# A hot-standby streaming replica of the local PostgreSQL, for the replica test of .ci/run (and to try the set-up
# of docs/deployment.md by hand):
#
#   scripts/pg_replica.sh start   # pg_basebackup -R of 127.0.0.1:5432 into a fresh data directory, started on 5433
#   scripts/pg_replica.sh stop    # stop it (and a scratch primary) and remove their data directories
#
# Environment: PRIMARY_PORT (5432), REPLICA_PORT (5433), REPLICA_DIR (/tmp/warmth-replica). Runs the servers as
# the postgres user when started as root (CI). The primary must allow replication connections from 127.0.0.1:
# a trust line is added to its pg_hba.conf (and the configuration reloaded) when none is there.
#
# SCRATCH_PRIMARY=PORT: first initdb and start an empty primary on that port (in $REPLICA_DIR-primary) and make
# the replica of it. A base backup copies the whole cluster, every database in it: .ci/run uses this where the
# local server holds gigabytes of demo data, which would take minutes to copy.
set -euo pipefail
PORT=${REPLICA_PORT:-5433}
DIR=${REPLICA_DIR:-/tmp/warmth-replica}
SCRATCH_DIR="$DIR-primary"
if [ -n "${SCRATCH_PRIMARY:-}" ]; then PRIMARY_PORT=$SCRATCH_PRIMARY; else PRIMARY_PORT=${PRIMARY_PORT:-5432}; fi
PSQL=(psql -X -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -At)
if [ -z "${PGBIN:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if pg_isready -q -h 127.0.0.1 -p "${PRIMARY_PORT}" 2>/dev/null; then
    version=$("${PSQL[@]}" -c "SHOW server_version_num")
    PGBIN=/usr/lib/postgresql/$((version / 10000))/bin
  fi
fi

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  for d in "$DIR" "$SCRATCH_DIR"; do
    if [ -f "$d/postmaster.pid" ]; then
      as_postgres "$PGBIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$d"
  done
}

scratch_primary() {
  mkdir -p "$SCRATCH_DIR" && chmod 700 "$SCRATCH_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$SCRATCH_DIR"
  as_postgres "$PGBIN/initdb" -D "$SCRATCH_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  {
    echo "port = $PRIMARY_PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = ''"
    echo "wal_level = replica"
    echo "max_wal_senders = 4"
    echo "fsync = off"
  } >> "$SCRATCH_DIR/postgresql.conf"
  printf '%s\n' "host replication all 127.0.0.1/32 trust" >> "$SCRATCH_DIR/pg_hba.conf"
  as_postgres "$PGBIN/pg_ctl" -D "$SCRATCH_DIR" -l "$SCRATCH_DIR/server.log" -w -t 60 start >/dev/null
  echo "scratch primary on 127.0.0.1:$PRIMARY_PORT ($SCRATCH_DIR)"
}

start() {
  stop
  if [ -n "${SCRATCH_PRIMARY:-}" ]; then scratch_primary; fi
  # the primary: WAL for replicas, senders, and a replication line in pg_hba.conf
  wal_level=$("${PSQL[@]}" -c "SHOW wal_level")
  senders=$("${PSQL[@]}" -c "SHOW max_wal_senders")
  if [ "$wal_level" = minimal ] || [ "$senders" = 0 ]; then
    echo "the primary needs wal_level=replica and max_wal_senders > 0 (has $wal_level, $senders); restart it" >&2
    exit 1
  fi
  hba=$("${PSQL[@]}" -c "SHOW hba_file")
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    echo "adding a replication line for 127.0.0.1 to $hba"
    printf '%s\n' "host replication all 127.0.0.1/32 trust" >> "$hba"
    "${PSQL[@]}" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
  fi

  mkdir -p "$DIR" && chmod 700 "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  # a copy of the primary plus the WAL it wrote meanwhile; -R writes standby.signal and primary_conninfo
  as_postgres "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR" -R -X stream \
    --checkpoint=fast --no-sync
  # a Debian cluster keeps its configuration outside the data directory: the standby gets its own. A hot standby
  # needs at least the primary's connection, worker and lock limits.
  limits=$("${PSQL[@]}" -F= -c "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections',
    'max_worker_processes', 'max_locks_per_transaction', 'max_prepared_transactions', 'max_wal_senders')")
  {
    echo "port = $PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$DIR'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "fsync = off"
    echo "shared_buffers = 64MB"
    echo "$limits" | sed -E "s/^([a-z_]+)=(.*)$/\1 = \2/"
  } > "$DIR/postgresql.conf"
  printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" > "$DIR/pg_hba.conf"
  : > "$DIR/pg_ident.conf"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"/postgresql.conf "$DIR"/pg_hba.conf "$DIR"/pg_ident.conf
  as_postgres "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null
  for _ in $(seq 1 60); do
    if [ "$(psql -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]; then
      echo "replica of 127.0.0.1:$PRIMARY_PORT streaming on 127.0.0.1:$PORT ($DIR)"
      return 0
    fi
    sleep 0.5
  done
  echo "the replica did not come up:" >&2
  tail -20 "$DIR/server.log" >&2
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
