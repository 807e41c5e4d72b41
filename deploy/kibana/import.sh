#!/bin/sh
# The logging stack's kibana-import job: waits (bounded) until Kibana is available, then imports
# the index pattern and dashboard in /cppapp.ndjson, overwriting earlier copies. Exits non-zero
# on failure so Swarm retries it (restart_policy on-failure); exits 0 once imported.
set -eu
url=${KIBANA_URL:-http://kibana:5601/kibana}

attempt=0
until curl -fsS "$url/api/status" 2>/dev/null | grep -q '"level":"available"'; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "kibana-import: $url not available after 5 minutes" >&2
    exit 1
  fi
  sleep 5
done

reply=$(curl -fsS -X POST "$url/api/saved_objects/_import?overwrite=true" \
  -H 'kbn-xsrf: true' --form file=@/cppapp.ndjson)
echo "kibana-import: $reply"
case $reply in
  *'"success":true'*) exit 0 ;;
  *) exit 1 ;;
esac
