#!/usr/bin/env python3
"""Checks deploy/monitoring/ against what a real node exports.

  check-monitoring.py SCRAPE DASHBOARD.json RULES_OUT.yml FILE...

SCRAPE is a real node's /metrics answer. The Grafana dashboard is checked
for the structure Grafana needs to load it (Grafana is not packaged in
Debian, so there is no provisioning dry run): unique panel ids, known panel
types, a 24-column grid without overlaps, every target with a refId and an
expression, every variable it uses defined. Its expressions are written to
RULES_OUT.yml as recording rules, for `promtool check rules` to parse.
In the dashboard and every FILE (alert rules, their tests), each kuaibao_*
name must be a metric the node exports, and each label a selector or a test
series names must be one that metric has (with a value the node uses, for
labels with a fixed set of values).
"""
import json
import re
import sys

# Labels Prometheus adds, and labels whose values are region codes.
ADDED = {"job", "instance"}
FIXED_VALUES = {"state", "rule", "certificate", "overdue", "role"}
GRAFANA_VARIABLES = {"__range", "__rate_interval", "__interval"}
PANEL_TYPES = {"row", "stat", "table", "timeseries", "bargauge", "gauge"}

errors = []


def fail(message):
    errors.append(message)


def read_scrape(path):
    """family -> {label: set(values)}, and the families with samples."""
    families, sampled = {}, set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"# TYPE (\w+) ", line)
        if m:
            families.setdefault(m.group(1), {})
            continue
        m = re.match(r"(\w+)(?:\{(.*)\})? ", line)
        if not m or line.startswith("#"):
            continue
        name = m.group(1)
        sampled.add(name)
        labels = families.setdefault(name, {})
        for label, value in re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""):
            labels.setdefault(label, set()).add(value)
    return families, sampled


def check_names(text, where, families, sampled):
    for name in sorted(set(re.findall(r"\bkuaibao_[a-z0-9_]+", text))):
        if name not in families:
            fail(f"{where}: {name} is not a metric the node exports")
    # Selectors and test series: name{label="value", ...}.
    for name, body in re.findall(r"\b(kuaibao_[a-z0-9_]+)\{([^}]*)\}", text):
        if name not in families:
            continue
        matchers = re.findall(r'(\w+)\s*(=~|!=|!~|=)\s*"([^"]*)"', body)
        if matchers and name not in sampled:
            fail(f"{where}: {name}{{{body}}}: the node exported no sample of "
                 f"{name} to check its labels against")
            continue
        for label, op, value in matchers:
            if label in ADDED:
                continue
            known = families[name].get(label)
            if known is None:
                fail(f"{where}: {name} has no label {label}")
            elif label in FIXED_VALUES and op in ("=", "=~"):
                pattern = re.escape(value) if op == "=" else value
                if not any(re.fullmatch(pattern, v) for v in known):
                    fail(f"{where}: {name}{{{label}{op}\"{value}\"}} matches "
                         f"none of {sorted(known)}")


def check_dashboard(dashboard, families, sampled, rules_out):
    where = "dashboard"
    for key, kind in (("title", str), ("uid", str), ("schemaVersion", int),
                      ("panels", list), ("templating", dict)):
        if not isinstance(dashboard.get(key), kind):
            fail(f"{where}: '{key}' missing or not a {kind.__name__}")
    variables = set(GRAFANA_VARIABLES)
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("name") in variables:
            fail(f"{where}: variable {v.get('name')} defined twice")
        variables.add(v.get("name"))
    ids, boxes, exprs = set(), [], []
    for p in dashboard.get("panels", []):
        title = f"{where}: panel {p.get('id')} '{p.get('title')}'"
        if not isinstance(p.get("id"), int) or p["id"] in ids:
            fail(f"{title}: id missing or not unique")
        ids.add(p.get("id"))
        if p.get("type") not in PANEL_TYPES:
            fail(f"{title}: unknown type {p.get('type')}")
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "xywh"):
            fail(f"{title}: gridPos needs integer x, y, w, h")
            continue
        if g["x"] < 0 or g["w"] < 1 or g["h"] < 1 or g["x"] + g["w"] > 24:
            fail(f"{title}: gridPos {g} is off the 24-column grid")
        for other_title, o in boxes:
            if (g["x"] < o["x"] + o["w"] and o["x"] < g["x"] + g["w"] and
                    g["y"] < o["y"] + o["h"] and o["y"] < g["y"] + g["h"]):
                fail(f"{title}: overlaps {other_title}")
        boxes.append((title, g))
        if p["type"] == "row":
            continue
        if not p.get("targets"):
            fail(f"{title}: no queries")
        refs = set()
        for t in p.get("targets", []):
            if not t.get("refId") or t["refId"] in refs:
                fail(f"{title}: refId missing or repeated")
            refs.add(t.get("refId"))
            if not t.get("expr"):
                fail(f"{title}: a target without expr")
            exprs.append((title, t.get("expr", "")))
        for holder in [p] + p.get("targets", []):
            uid = holder.get("datasource", {}).get("uid", "")
            if uid != "${datasource}":
                fail(f"{title}: datasource {uid!r}, not the ${{datasource}} "
                     "variable (the dashboard must not name one server)")
    with open(rules_out, "w", encoding="utf-8") as out:
        out.write("groups:\n  - name: dashboard\n    rules:\n")
        for i, (title, expr) in enumerate(exprs):
            for var in re.findall(r"\$\{?(\w+)\}?", expr):
                if var not in variables:
                    fail(f"{title}: uses ${var}, which is not defined")
            concrete = (expr.replace("$__rate_interval", "5m")
                        .replace("$__range", "6h")
                        .replace("$__interval", "1m")
                        .replace("$region", ".*"))
            check_names(expr, title, families, sampled)
            out.write(f"      - record: dashboard:panel_{i}\n")
            out.write(f"        expr: {json.dumps(concrete)}\n")
    return len(exprs)


def main():
    scrape, dashboard_path, rules_out, *files = sys.argv[1:]
    families, sampled = read_scrape(scrape)
    if "kuaibao_node_info" not in sampled:
        fail(f"{scrape} is not a node's /metrics")
    with open(dashboard_path, encoding="utf-8") as f:
        dashboard = json.load(f)
    n = check_dashboard(dashboard, families, sampled, rules_out)
    for path in files:
        check_names(open(path, encoding="utf-8").read(), path, families,
                    sampled)
    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    print(f"ok: dashboard ({len(dashboard['panels'])} panels, {n} queries) "
          f"and {len(files)} file(s) use only what the node exports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
