#!/bin/sh
# One-time set-up of the compose network (docker-compose.network.yml, service
# "init"). Idempotent: a re-run keeps every key and changes nothing.
#
# For each node in $TRUST_ENGINE_NODES it makes a key in the node's own data
# volume (mounted at /volumes/NAME; the file is 0600, owned by the node user)
# unless one is there, and adds its public key to the network file
# /network/network.json (created with id $TRUST_ENGINE_NETWORK_ID).
#
# Started as root only to hand the roots of fresh named volumes (created
# root-owned by Docker) to the node user; everything else runs as that user.
# Nothing is made world-writable.
set -eu
#
# The paths, the user and the command are variables so that the script can be
# tried outside a container (test/docker/init-script.test.ts does).
NODES="${TRUST_ENGINE_NODES:-node1 node2 node3 node4 node5}"
NETWORK_ID="${TRUST_ENGINE_NETWORK_ID:-trust-engine-docker}"
VOLUMES="${TRUST_ENGINE_INIT_VOLUMES:-/volumes}"
NETWORK_DIR="${TRUST_ENGINE_INIT_NETWORK:-/network}"
RUN_AS="${TRUST_ENGINE_INIT_USER:-node}"
CLI="${TRUST_ENGINE_CLI:-node /app/node/cli/main.ts}"

if [ "$(id -u)" = 0 ]; then
  chown "$RUN_AS:" "$NETWORK_DIR"
  chmod 0755 "$NETWORK_DIR"
  for n in $NODES; do
    chown "$RUN_AS:" "$VOLUMES/$n"
    chmod 0700 "$VOLUMES/$n"
  done
  exec setpriv --reuid="$RUN_AS" --regid="$(id -g "$RUN_AS")" --init-groups "$0" "$@"
fi

umask 077
for n in $NODES; do
  if [ ! -e "$VOLUMES/$n/key.json" ]; then
    $CLI keygen --out "$VOLUMES/$n/key.json" >/dev/null
  fi
  $CLI network add-validator --network "$NETWORK_DIR/network.json" --network-id "$NETWORK_ID" \
    --name "$n" --key "$VOLUMES/$n/key.json"
done
