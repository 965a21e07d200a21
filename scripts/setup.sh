#!/usr/bin/env bash
# `npm run setup`: the Debian / Ubuntu packages the tests need, installed when missing. One script
# for developers and CI (.ci/run calls `npm run setup`, as root, with no standard input). Run it as
# root, or as a user who may `sudo` (apt-get is then run through sudo).
#   postgresql      the PostgreSQL store tests start a throw-away server from its binaries (test/pg/server.ts)
#   libxml2-utils   xmllint validates the JUnit report against Jenkins' junit-10.xsd
#   chromium        the HTML report tests drive Debian's Chromium (playwright-core never downloads a browser)
#   curl, python3-* the MLflow tests start ../shared/mlflow-server (its start.sh needs curl and these
#                   Python packages; python3-pandas for MLflow's own client), when that folder exists
set -euo pipefail
cd "$(dirname "$0")/.."
# apt-get runs with no terminal and no standard input in CI.
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo DEBIAN_FRONTEND=noninteractive)
else
  echo "npm run setup: run it as root or install sudo: it installs Debian packages with apt-get." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "npm run setup: apt-get not found; install by hand: postgresql, libxml2-utils (xmllint), chromium." >&2
  exit 1
fi

updated=0
install() {
  if [ "$updated" -eq 0 ]; then
    "${SUDO[@]}" apt-get update
    updated=1
  fi
  "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"
}

ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || install postgresql
command -v xmllint >/dev/null || install libxml2-utils
MLFLOW_PY_CHECK='import flask, sqlalchemy, alembic, gunicorn, google.protobuf, yaml, sqlparse, cachetools, deprecated, pandas'
if [ -d ../shared/mlflow-server ] && { ! command -v curl >/dev/null || ! /usr/bin/python3 -c "$MLFLOW_PY_CHECK" 2>/dev/null; }; then
  install curl \
    python3-flask python3-sqlalchemy python3-alembic python3-gunicorn python3-protobuf python3-yaml \
    python3-requests python3-packaging python3-importlib-metadata python3-sqlparse python3-cachetools \
    python3-deprecated python3-typing-extensions python3-six python3-click python3-aniso8601 python3-pandas
fi
command -v chromium >/dev/null || install chromium
echo "npm run setup: the Debian packages the tests need are installed."
