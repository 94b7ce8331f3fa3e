# Sourced by scripts/test.sh: a private PostgreSQL server for the stores'
# PostgreSQL runs, exported as ORDERCARE_TEST_DATABASE_URL and stopped when
# the tests end. Debian's postgresql package (installed when missing and
# root); the cluster lives in a temporary folder, listens on a Unix socket
# in that folder only (no TCP port), and runs as the postgres user when the
# tests run as root (initdb and postgres refuse to run as root).
# Without a server the PostgreSQL runs skip, except under CI=true, where
# they fail.

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start_test_postgres() {
  if [ -n "${ORDERCARE_TEST_DATABASE_URL:-}" ]; then
    echo "test.sh: PostgreSQL runs use the given ORDERCARE_TEST_DATABASE_URL"
    return 0
  fi
  local bin
  bin="$(pg_bindir)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "test.sh: installing Debian's postgresql for the PostgreSQL runs"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
      bin="$(pg_bindir)"
    fi
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "test.sh: PostgreSQL is missing and cannot be installed here (not root); PostgreSQL runs will skip"
    return 0
  fi

  # In /tmp, not $TMPDIR: the postgres user must reach it, and a socket's
  # path must stay under the 107 bytes a Unix socket name may have.
  PG_TEST_DIR="$(mktemp -d /tmp/ordercare-pg.XXXXXX)"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$PG_TEST_DIR"
    as=(runuser -u "$user" --)
  fi
  # A port number still names the socket file (.s.PGSQL.<port>); with the
  # socket in a private folder and no TCP listener, any number is free.
  local port=54329
  # fsync off: a test cluster is thrown away, and the tests measure no
  # durability (docs/PERFORMANCE.md's figures come from a server with it on).
  "${as[@]}" "$bin/initdb" -D "$PG_TEST_DIR/data" -U ordercare -A trust -E UTF8 --locale=C --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { cat "$PG_TEST_DIR/initdb.log" >&2; echo "test.sh: initdb failed" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
    -o "-p $port -k $PG_TEST_DIR -c listen_addresses= -c fsync=off -c max_connections=400" start >/dev/null \
    || { cat "$PG_TEST_DIR/server.log" >&2; echo "test.sh: PostgreSQL did not start" >&2; return 1; }
  PG_TEST_STOP=("${as[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate -w stop)
  trap stop_test_postgres EXIT
  "$bin/psql" -q -h "$PG_TEST_DIR" -p "$port" -U ordercare -d postgres -c 'CREATE DATABASE ordercare_test' >/dev/null
  export ORDERCARE_TEST_DATABASE_URL="postgres://ordercare@/ordercare_test?host=$PG_TEST_DIR&port=$port"
  echo "test.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the PostgreSQL runs in $PG_TEST_DIR"
}

stop_test_postgres() {
  if [ -n "${PG_TEST_DIR:-}" ]; then
    "${PG_TEST_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
    PG_TEST_DIR=
  fi
}
