#!/usr/bin/env bash
# Deploys cppapp's swarm in the series' order: the overlay networks, the MongoDB URL secret, then
# the proxy, logging and apps stacks. Idempotent: what exists is kept, the stacks are updated in
# place (app1 rolls start-first, rolling back on failure). Run it on a swarm manager.
#
#   CPPAPP_IMAGE=<registry user>/cppapp:latest deploy/deploy.sh        Docker Flow Proxy (as the series)
#   PROXY=traefik CPPAPP_IMAGE=… deploy/deploy.sh                      Traefik instead
#   MONITORING=prometheus CPPAPP_IMAGE=… deploy/deploy.sh              also Prometheus (monitoring.yml)
#
# MONGO_URL overrides the secret's content on its first creation only (Docker secrets are
# immutable: to change it, remove the apps stack and the secret app1_mongo_url, then re-run).
set -euo pipefail
cd "$(dirname "$0")"

readonly proxy=${PROXY:-dfp}
readonly mongo_url=${MONGO_URL:-mongodb://mongo-store-1:27017,mongo-store-2:27017,mongo-store-3:27017/nodeapp?replicaSet=rs0}
export CPPAPP_IMAGE=${CPPAPP_IMAGE:-cppapp/cppapp:latest}

die() { echo "deploy.sh: $*" >&2; exit 1; }
say() { echo "deploy.sh: $*" >&2; }

case $proxy in
  dfp) proxy_file=proxy.yml ;;
  traefik) proxy_file=proxy-traefik.yml ;;
  *) die "PROXY must be dfp or traefik, not '$proxy'" ;;
esac

[[ -z ${MONITORING:-} || $MONITORING == prometheus ]] ||
  die "MONITORING must be prometheus or empty, not '$MONITORING'"

[[ $(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null) == true ]] ||
  die "this docker engine is not a swarm manager (docker swarm init, or run this on a manager)"

# 1. Networks (the seed's `docker network create --driver overlay …`): main for the proxy,
#    log_net for Logstash, apps_net for MongoDB.
for network in main log_net apps_net; do
  if driver=$(docker network inspect --format '{{.Driver}}' "$network" 2>/dev/null); then
    [[ $driver == overlay ]] || die "network $network exists with driver $driver, not overlay"
  else
    say "creating overlay network $network"
    docker network create --driver overlay "$network" >/dev/null
  fi
done

# 2. The MongoDB URL, read by app1 from /run/secrets/mongo_url (MONGO_URL_FILE).
if ! docker secret inspect app1_mongo_url >/dev/null 2>&1; then
  say "creating secret app1_mongo_url"
  printf '%s' "$mongo_url" | docker secret create app1_mongo_url - >/dev/null
fi

# 3. Placement: the stacks need a node labelled logger=true (Elasticsearch, Logstash, Kibana) and
#    three workers labelled mongo=1, mongo=2, mongo=3 (one replica-set member each).
labels=$(docker node ls -q | xargs docker node inspect --format '{{range $k, $v := .Spec.Labels}}{{$k}}={{$v}} {{end}}' | tr '\n' ' ')
for wanted in logger=true mongo=1 mongo=2 mongo=3; do
  [[ " $labels " == *" $wanted "* ]] ||
    say "warning: no node is labelled $wanted; its services stay pending (docker node update --label-add $wanted NODE)"
done

# 4. The stacks, in order: the proxy first (app1 registers with it), logging (app1 ships to it),
#    then the apps.
say "deploying stack proxy ($proxy_file)"
docker stack deploy --with-registry-auth -c "$proxy_file" proxy
say "deploying stack logging"
docker stack deploy --with-registry-auth -c logging.yml logging
say "deploying stack apps (app1 image $CPPAPP_IMAGE)"
docker stack deploy --with-registry-auth -c apps.yml apps

# 5. Optional: Prometheus scraping every app1 task's /metrics (MONITORING=prometheus).
if [[ ${MONITORING:-} == prometheus ]]; then
  say "deploying stack monitoring (Prometheus)"
  docker stack deploy --with-registry-auth -c monitoring.yml monitoring
fi

say "done: docker stack ps apps; the page is http://<any node>/app1/, Kibana http://<any node>/kibana/"
