"""Writes cppapp.ndjson, the Kibana saved objects the logging stack's kibana-import job loads:
the cppapp-* index pattern and a dashboard of four panels (requests per status, latency
percentiles, errors, per-replica volume) over the fields cppapp sends (README, Logging).

    python3 deploy/kibana/saved_objects.py          rewrite cppapp.ndjson
    python3 deploy/kibana/saved_objects.py --check  exit 1 if cppapp.ndjson is not up to date

Legacy aggregation-based visualizations: Kibana 8 imports and migrates them, and their JSON is
stable across versions (Lens's is not).
"""

import json
import os
import sys

INDEX_PATTERN_ID = "cppapp"
ACCESS = 'event.dataset : "cppapp.access"'
ERRORS = 'log.level : ("error" or "critical") or http.response.status_code >= 500'
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def search_source(query, with_index):
    source = {"query": {"query": query, "language": "kuery"}, "filter": []}
    if with_index:
        source["indexRefName"] = INDEX_REF
    return {"searchSourceJSON": json.dumps(source, sort_keys=True)}


def over_time(extra_aggs, metric=None):
    aggs = [metric or {"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}},
            {"id": "2", "enabled": True, "type": "date_histogram", "schema": "segment",
             "params": {"field": "@timestamp", "interval": "auto", "min_doc_count": 1, "extended_bounds": {}}}]
    return aggs + extra_aggs


def split_by(field, size):
    return {"id": "3", "enabled": True, "type": "terms", "schema": "group",
            "params": {"field": field, "size": size, "order": "desc", "orderBy": "1", "otherBucket": True,
                       "otherBucketLabel": "other", "missingBucket": False}}


def visualization(vis_id, title, vis_type, aggs, query):
    vis_state = {"title": title, "type": vis_type, "aggs": aggs,
                 "params": {"type": vis_type, "addLegend": True, "legendPosition": "right", "addTooltip": True}}
    return {
        "type": "visualization", "id": vis_id,
        "attributes": {"title": title, "description": "", "version": 1, "uiStateJSON": "{}",
                       "visState": json.dumps(vis_state, sort_keys=True),
                       "kibanaSavedObjectMeta": search_source(query, True)},
        "references": [{"name": INDEX_REF, "type": "index-pattern", "id": INDEX_PATTERN_ID}],
    }


def saved_objects():
    index_pattern = {
        "type": "index-pattern", "id": INDEX_PATTERN_ID,
        "attributes": {
            "title": "cppapp-*", "timeFieldName": "@timestamp",
            # event.duration is in nanoseconds (ECS): shown as milliseconds.
            "fieldFormatMap": json.dumps({"event.duration": {"id": "duration", "params": {
                "inputFormat": "nanoseconds", "outputFormat": "asMilliseconds", "outputPrecision": 2}}}),
        },
        "references": [],
    }
    panels = [
        visualization("cppapp-requests-per-status", "cppapp: requests per status", "histogram",
                      over_time([split_by("http.response.status_code", 10)]), ACCESS),
        visualization("cppapp-latency-percentiles", "cppapp: latency percentiles (p50, p95, p99)", "line",
                      over_time([], {"id": "1", "enabled": True, "type": "percentiles", "schema": "metric",
                                     "params": {"field": "event.duration", "percents": [50, 95, 99]}}), ACCESS),
        visualization("cppapp-errors", "cppapp: errors (error records and 5xx answers)", "histogram",
                      over_time([split_by("log.level.keyword", 5)]), ERRORS),
        visualization("cppapp-requests-per-replica", "cppapp: requests per replica", "histogram",
                      over_time([split_by("service.node.name.keyword", 20)]), ACCESS),
    ]
    layout = [(0, 0), (24, 0), (0, 15), (24, 15)]
    panels_json = [{"version": "8.13.4", "type": "visualization", "panelIndex": str(n),
                    "gridData": {"x": x, "y": y, "w": 24, "h": 15, "i": str(n)},
                    "embeddableConfig": {}, "panelRefName": "panel_%d" % n}
                   for n, (x, y) in enumerate(layout)]
    dashboard = {
        "type": "dashboard", "id": "cppapp-overview",
        "attributes": {"title": "cppapp overview", "description": "Requests, latency, errors and replicas of app1",
                       "version": 1, "timeRestore": True, "timeFrom": "now-1h", "timeTo": "now",
                       "refreshInterval": {"pause": False, "value": 30000},
                       "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}),
                       "panelsJSON": json.dumps(panels_json, sort_keys=True),
                       "kibanaSavedObjectMeta": search_source("", False)},
        "references": [{"name": "panel_%d" % n, "type": "visualization", "id": vis["id"]}
                       for n, vis in enumerate(panels)],
    }
    return [index_pattern, *panels, dashboard]


def ndjson():
    return "".join(json.dumps(obj, sort_keys=True) + "\n" for obj in saved_objects())


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cppapp.ndjson")
    if sys.argv[1:] == ["--check"]:
        with open(path) as existing:
            if existing.read() != ndjson():
                sys.exit("%s is out of date: run python3 %s" % (path, __file__))
        return
    with open(path, "w") as out:
        out.write(ndjson())


if __name__ == "__main__":
    main()
