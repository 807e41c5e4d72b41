"""Turns the raw runs into medians with their spread, the target ratios, and the three outputs:
results.json (everything, raw runs included), results.md (tables) and chart.png (gnuplot)."""

import json
import os
import shutil
import statistics
import subprocess

METRICS = ("rps", "p50_ms", "p99_ms", "cpu_us_per_req", "peak_rss_mib", "other_cpu_cores")


def summarise(runs):
    """Median, min and max per metric of each (target, scenario, connections) cell."""
    cells = {}
    for run in runs:
        cells.setdefault((run["target"], run["scenario"], run["connections"]), []).append(run)
    summary = []
    for (target, scenario, connections), group in cells.items():
        cell = {"target": target, "scenario": scenario, "connections": connections,
                "repeats": len(group), "errors": sum(run["errors"] for run in group),
                "requests": sum(run["requests"] for run in group)}
        # What the errors were: socket errors by kind, answers by status (where counted).
        kinds = {}
        for run in group:
            for kind, count in run["error_kinds"].items():
                if count and kind != "status":
                    kinds[kind] = kinds.get(kind, 0) + count
            for status, count in (run.get("statuses") or {}).items():
                if int(status) >= 400:
                    kinds[status] = kinds.get(status, 0) + count
            if run["error_kinds"].get("status") and not run.get("statuses"):
                kinds["status>=400"] = kinds.get("status>=400", 0) + run["error_kinds"]["status"]
        cell["error_detail"] = kinds
        for metric in METRICS:
            values = [run[metric] for run in group if run.get(metric) is not None]
            if values:
                cell[metric] = {"median": statistics.median(values), "min": min(values),
                                "max": max(values)}
        scrapes = [run["scrape"] for run in group if run.get("scrape")]
        if scrapes:
            cell["scrapes"] = sum(scrape["scrapes"] for scrape in scrapes)
            cell["scrape_failures"] = sum(scrape["failures"] for scrape in scrapes)
        summary.append(cell)
    return summary


def median_of(summary, target, scenario, connections, metric):
    """The median of one metric of one cell, or None when the cell was not run."""
    for cell in summary:
        if (cell["target"], cell["scenario"], cell["connections"]) == (target, scenario,
                                                                        connections):
            value = cell.get(metric)
            return value["median"] if value else None
    return None


def median_cpu(summary, target, scenario):
    """Median CPU µs per request of a target's cells of one scenario, over connection counts."""
    values = [cell["cpu_us_per_req"]["median"] for cell in summary
              if cell["target"] == target and cell["scenario"] == scenario
              and cell.get("cpu_us_per_req")]
    return statistics.median(values) if values else None


def ratio_rows(summary, results, peers=()):
    """The goals, each as (what, measured ratio, goal text, met?); peers are the names of the
    servers given with --peer (the goal: cppapp at least as fast, at no more CPU per request)."""
    rows = []

    def add(what, numerator, denominator, goal, bound=None):
        """goal like '>= 15' or '<= 0.05' is checked against bound; no bound: information."""
        if numerator is None or denominator in (None, 0):
            rows.append({"what": what, "ratio": None, "goal": goal, "met": None})
            return
        value = numerator / denominator
        met = None
        if bound is not None:
            met = value >= bound if goal.startswith(">=") else value <= bound
        rows.append({"what": what, "ratio": value, "goal": goal, "met": met})

    connections = sorted({cell["connections"] for cell in summary})
    for scenario in ("index", "index-br"):
        for conns in connections:
            c = median_of(summary, "cppapp", scenario, conns, "rps")
            c1 = median_of(summary, "cppapp-1t", scenario, conns, "rps")
            n = median_of(summary, "nodeapp", scenario, conns, "rps")
            x = median_of(summary, "nginx", scenario, conns, "rps")
            add(f"{scenario} @{conns}: cppapp / nodeapp req/s", c, n, ">= 15", 15)
            add(f"{scenario} @{conns}: cppapp / nginx req/s", c, x, ">= 1.0", 1.0)
            add(f"{scenario} @{conns}: cppapp --threads 1 / nginx req/s", c1, x, ">= 1.0", 1.0)
            add(f"{scenario} @{conns}: cppapp / nodeapp p99",
                median_of(summary, "cppapp", scenario, conns, "p99_ms"),
                median_of(summary, "nodeapp", scenario, conns, "p99_ms"), "<= 0.05", 0.05)
    for scenario in ("index", "css"):
        for other in ("nodeapp", "nginx"):
            add(f"{scenario}: CPU per request, cppapp / {other} (median over conns)",
                median_cpu(summary, "cppapp", scenario), median_cpu(summary, other, scenario),
                "information")
    for peer in peers:
        for conns in connections:
            for ours in ("cppapp", "cppapp-1t"):
                add(f"index @{conns}: {ours} / {peer} req/s",
                    median_of(summary, ours, "index", conns, "rps"),
                    median_of(summary, peer, "index", conns, "rps"), ">= 1.0", 1.0)
                add(f"index @{conns}: {ours} / {peer} CPU per request",
                    median_of(summary, ours, "index", conns, "cpu_us_per_req"),
                    median_of(summary, peer, "index", conns, "cpu_us_per_req"), "<= 1.0", 1.0)
    for conns in connections:
        # The share of a request's CPU that the access log takes (one loop, index page).
        logged = median_of(summary, "cppapp-1t", "index", conns, "cpu_us_per_req")
        quiet = median_of(summary, "cppapp-1t-quiet", "index", conns, "cpu_us_per_req")
        add(f"index @{conns}: access log's share of CPU per request (cppapp-1t vs -quiet)",
            None if logged is None or quiet is None else logged - quiet, logged, "<= 0.10", 0.10)
        # The same with every record shipped as JSON, as production runs (Logstash on).
        shipping = median_of(summary, "cppapp-1t-shipping", "index", conns, "cpu_us_per_req")
        add(f"index @{conns}: access log's share of CPU per request, shipped to Logstash "
            "(cppapp-1t-shipping vs -quiet)",
            None if shipping is None or quiet is None else shipping - quiet, shipping,
            "<= 0.10", 0.10)
    # The same shares in instructions (callgrind; an upper bound, see benchlib/instructions.py).
    counted = results.get("instructions_per_request", {})
    quiet = counted.get("cppapp-1t-quiet")
    for target, how in (("cppapp-1t", "console"), ("cppapp-1t-shipping", "shipped to Logstash")):
        logged = counted.get(target)
        add(f"index: access log's share of instructions per request, {how} (callgrind, {target} "
            "vs -quiet)", None if logged is None or quiet is None else logged - quiet, logged,
            "<= 0.10", 0.10)
    idle = results.get("idle_rss_mib", {})
    for target in ("cppapp", "cppapp-1t") + tuple(peers):
        if idle.get(target):
            add(f"RSS at idle, MiB: {target} (after start-up and the answer checks)",
                statistics.median(idle[target]), 1, "<= 12" if target.startswith("cppapp")
                else "information", 12 if target.startswith("cppapp") else None)
        loaded = [median_of(summary, target, "index", conns, "peak_rss_mib")
                  for conns in connections]
        loaded = [value for value in loaded if value is not None]
        if loaded:
            add(f"RSS under the index load, MiB: {target} (peak VmRSS, worst cell)", max(loaded),
                1, "<= 12" if target.startswith("cppapp") else "information",
                12 if target.startswith("cppapp") else None)
    hwm = results.get("peak_rss_mib", {})
    if hwm.get("cppapp") and hwm.get("nodeapp"):
        add("peak RSS under load (VmHWM, whole run): cppapp / nodeapp", statistics.median(hwm["cppapp"]),
            statistics.median(hwm["nodeapp"]), "<= 0.1", 0.1)
    for conns in connections:
        add(f"guestbook @{conns} / index-br @{conns} req/s (cppapp)",
            median_of(summary, "cppapp", "guestbook", conns, "rps"),
            median_of(summary, "cppapp", "index-br", conns, "rps"), ">= 0.4", 0.4)
        add(f"api-get @{conns} / index-br @{conns} req/s (cppapp)",
            median_of(summary, "cppapp", "api-get", conns, "rps"),
            median_of(summary, "cppapp", "index-br", conns, "rps"), ">= 0.5", 0.5)
    for cell in summary:
        if cell["target"] == "cppapp+scrape":
            scenario, conns = cell["scenario"], cell["connections"]
            add(f"{scenario} @{conns}: cppapp with /metrics scraped / without, req/s",
                median_of(summary, "cppapp+scrape", scenario, conns, "rps"),
                median_of(summary, "cppapp", scenario, conns, "rps"), "information")
    return rows


def format_ratio_rows(rows):
    """Plain-text lines for the terminal."""
    lines = []
    for row in rows:
        ratio = "n/a" if row["ratio"] is None else f"{row['ratio']:.3g}"
        met = {True: "met", False: "NOT met", None: "-"}[row["met"]]
        if row["goal"] == "information":
            met = ""
        lines.append(f"  {row['what']:<62} {ratio:>8}  goal {row['goal']:<10} {met}")
    return lines


def spread_text(value, digits):
    if not value:
        return "n/a", "n/a"
    fmt = f"{{:.{digits}f}}"
    return fmt.format(value["median"]), f"{fmt.format(value['min'])}–{fmt.format(value['max'])}"


def errors_text(cell):
    """'0', or the count with what it was: '4644 (503: 4644)'."""
    if not cell["errors"]:
        return "0"
    detail = ", ".join(f"{kind}: {count}" for kind, count in sorted(cell["error_detail"].items()))
    return f"{cell['errors']} ({detail})" if detail else str(cell["errors"])


def write_markdown(path, results, summary, rows, target_order, scenarios):
    config, machine = results["config"], results["machine"]
    out = []
    out.append("# Benchmark results\n")
    out.append(f"Produced by `bench/run{' ' + config['mode_flag'] if config['mode_flag'] else ''}` "
               f"on {results['finished_at']} (cppapp commit `{machine['commit']}`). "
               "Re-run with `bench/run`; this file, results.json and chart.png are overwritten.\n")
    out.append("## Machine and settings\n")
    for key in ("cpu", "nproc", "kernel", "wrk", "nginx", "node", "compiler", "gnuplot"):
        out.append(f"- {key}: {machine.get(key, '?')}")
    out.append(f"- load average before / after the run: {machine['load_before']} / "
               f"{machine['load_after']}")
    out.append(f"- other processes' CPU during the measured seconds (median per cell, "
               f"in cores): {results['other_load_cores_median']:.2f}; see *Noise* below")
    out.append(f"- {config['duration_s']} s per cell, {config['repeat']} repeat(s), "
               f"warm-up {config['warmup_s']} s per scenario after each start; "
               f"wrk {config['wrk_threads']} threads, connections {config['connections']}")
    out.append("- cppapp: release preset, `--env production`, one event loop per core "
               f"({machine['nproc']}) unless `--threads 1`; access log on (one line per request "
               "to stdout, sent to /dev/null); Logstash off; embedded SQLite store"
               + (f"; extra flags `{config['cppapp_extra_args']}`"
                  if config.get("cppapp_extra_args") else ""))
    out.append("- nodeapp: bench/reference, `NODE_ENV=production node index.js`, one process")
    out.append("- nginx: one worker, access log off, serving cppapp's own bytes (fetched from "
               "cppapp at run time), precompressed, with cppapp's security headers copied")
    out.append("- cppapp-1t-quiet: cppapp `--threads 1 --log-level warn`, no access lines; the "
               "difference to cppapp-1t is the access log's cost")
    out.append("- cppapp-1t-shipping: cppapp `--threads 1` with `--logstash` set to a loopback sink "
               "of the harness that reads and discards (bench/benchlib/sink.py): every access "
               "record also written as JSON and shipped, as production runs with Logstash")
    for peer, url in results.get("peers", {}).items():
        out.append(f"- {peer}: a peer server started outside the harness, at {url} "
                   "(`--peer`); its CPU and memory are those of the processes holding its "
                   "listening socket")
    out.append("")
    out.append("## Scenarios\n")
    out.append("| scenario | request |")
    out.append("|---|---|")
    for name, scenario in scenarios.items():
        ae = scenario.get("accept_encoding")
        desc = f"`{scenario.get('method', 'GET')} {scenario['path']}`"
        if ae:
            desc += f", `Accept-Encoding: {ae}`"
        if scenario.get("body"):
            desc += f", JSON body `{scenario['body']}`"
        out.append(f"| {name} | {desc}; {scenario['about']} |")
    out.append("")
    out.append("Bytes answered (body size and Content-Encoding, checked before the load):\n")
    out.append("| scenario | " + " | ".join(target_order) + " |")
    out.append("|---|" + "---|" * len(target_order))
    for name in scenarios:
        cells = []
        for target in target_order:
            answer = results["responses"].get(target, {}).get(name)
            cells.append("n/a" if answer is None else
                         f"{answer['status']}, {answer['bytes']} B"
                         f"{', ' + answer['encoding'] if answer['encoding'] else ''}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out.append("")
    ours = results["responses"].get("cppapp", {})
    for peer in results.get("peers", {}):
        for name, answer in results["responses"].get(peer, {}).items():
            mine = ours.get(name)
            if mine is None:
                continue
            same_body = answer["sha256"] == mine["sha256"]
            missing = sorted(set(mine["headers"]) - set(answer["headers"]))
            extra = sorted(set(answer["headers"]) - set(mine["headers"]))
            out.append(f"{peer}, {name}: body {'identical to' if same_body else '**differs from**'}"
                       " cppapp's; header names "
                       + ("the same" if not missing and not extra else
                          f"missing {missing or 'none'}, extra {extra or 'none'}")
                       + " (Date, Server, Connection, Keep-Alive, X-Request-Id not compared).\n")
    plain = results["responses"].get("cppapp", {}).get("index")
    compressed = results["responses"].get("cppapp", {}).get("index-br")
    if plain and compressed and not compressed["encoding"]:
        out.append(f"The index page is {plain['bytes']} bytes, under the 1 KiB compression "
                   "threshold (Express's compression default, which cppapp keeps), so index-br "
                   "is answered uncompressed too: it differs from index only by the request "
                   "header.\n")
    out.append("## Results (median of the repeats; spread = min–max)\n")
    out.append("| scenario | conns | target | req/s | req/s spread | p50 ms | p99 ms | p99 spread "
               "| errors | CPU µs/req | peak RSS MiB | other load |")
    out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    by_key = {(c["target"], c["scenario"], c["connections"]): c for c in summary}
    for name in scenarios:
        for conns in config["connections"]:
            for target in target_order:
                cell = by_key.get((target, name, conns))
                if cell is None:
                    continue
                rps, rps_spread = spread_text(cell.get("rps"), 0)
                p50, _ = spread_text(cell.get("p50_ms"), 2)
                p99, p99_spread = spread_text(cell.get("p99_ms"), 2)
                cpu, _ = spread_text(cell.get("cpu_us_per_req"), 1)
                rss, _ = spread_text(cell.get("peak_rss_mib"), 1)
                other, _ = spread_text(cell.get("other_cpu_cores"), 2)
                out.append(f"| {name} | {conns} | {target} | {rps} | {rps_spread} | {p50} | {p99} "
                           f"| {p99_spread} | {errors_text(cell)} | {cpu} | {rss} | {other} |")
    out.append("")
    out.append("Cells without a row are n/a: nodeapp and nginx serve no guestbook or API. "
               "Errors are wrk's: socket errors by kind, and answers with status >= 400 (by "
               "status where counted: the guestbook and API scenarios).\n")
    out.append("## Start-up and memory\n")
    out.append("| target | start-up to first 200 (ms, median, min–max) | RSS at idle before the "
               "load (MiB, median) | peak RSS VmHWM over the whole run (MiB, median, min–max) |")
    out.append("|---|---:|---:|---:|")
    for target in target_order:
        startup = results["startup_s"].get(target)
        hwm = results["peak_rss_mib"].get(target)
        idle = results.get("idle_rss_mib", {}).get(target)
        s_text = "n/a (peer)"
        if startup:
            s_ms = [1000 * v for v in startup]
            s_text = f"{statistics.median(s_ms):.1f} ({min(s_ms):.1f}–{max(s_ms):.1f})"
        hwm_text = (f"{statistics.median(hwm):.1f} ({min(hwm):.1f}–{max(hwm):.1f})" if hwm
                    else "n/a (peer: its life began before the run)")
        idle_text = f"{statistics.median(idle):.1f}" if idle else "n/a"
        out.append(f"| {target} | {s_text} | {idle_text} | {hwm_text} |")
    out.append("")
    counted = results.get("instructions_per_request")
    if counted:
        out.append("## Instructions per index request (callgrind)\n")
        out.append("Counted once per target after the timed cells, 20,000 requests over 8 "
                   "keep-alive connections, every thread of the process; the program's own "
                   "instructions, not the kernel's (bench/benchlib/instructions.py says why "
                   "the access log's share found so is an upper bound).\n")
        out.append("| target | instructions per request |")
        out.append("|---|---:|")
        for target, value in counted.items():
            out.append(f"| {target} | {value:,.0f} |")
        out.append("")
    out.append("## Ratios against the goals (from the medians of this run)\n")
    out.append("| what | ratio | goal | met |")
    out.append("|---|---:|---|---|")
    for row in rows:
        ratio = "n/a" if row["ratio"] is None else f"{row['ratio']:.3g}"
        met = {True: "yes", False: "**no**", None: "n/a"}[row["met"]]
        goal = row["goal"]
        if goal == "information":
            met = ""
        out.append(f"| {row['what']} | {ratio} | {goal} | {met} |")
    out.append("")
    out.append("![requests per second and p99 latency per cell](chart.png)\n")
    out.append(NOISE_TEXT.format(repeat=config["repeat"], duration=config["duration_s"],
                                 wrk_threads=config["wrk_threads"], nproc=machine["nproc"]))
    with open(path, "w") as handle:
        handle.write("\n".join(out) + "\n")


NOISE_TEXT = """## How to read the noise

- Every cell ran {repeat} time(s) for {duration} s; the tables give the median and the min–max
  spread over those runs. Each repeat starts every server afresh (so start-up time and peak
  memory have {repeat} samples too) and runs the targets in turn, so a burst of outside load
  hits one repeat of several targets rather than all repeats of one. Treat a difference smaller
  than the spread of either cell as no difference. With one repeat (`--quick`) there is no
  spread: those numbers are for trying the harness, not for conclusions.
- wrk ({wrk_threads} threads) runs on the same {nproc} cores as the server: every number is for
  server + load generator sharing the machine. A server that needs less CPU per request leaves
  more for wrk, so req/s saturates earlier than the server alone would; *CPU µs/req* (the
  server's utime+stime over the cell divided by the requests it answered) is the number that
  does not depend on that sharing, and the best one to compare across machines.
- p50/p99 are wrk's, measured from the moment wrk sends a request; at saturation they are
  mostly queueing (connections / req/s), so they follow req/s. wrk does not correct for
  coordinated omission.
- *Other load* (last column, in cores) is the machine's busy CPU time during a cell minus the
  server's and wrk's, divided by the cell's seconds: on an idle machine it stays near 0.0x
  (the harness's own sampling). Above about 0.2 other work shared the cores and that cell's
  req/s and latencies are low by roughly that share; CPU µs/req is affected much less. The
  JSON has it per run (`other_cpu_cores`), next to the load average before and after.
- On a virtual machine (this one is), the host's other guests change how much each request
  costs: the same binary's CPU µs/req rises by 20–50% for stretches of seconds to minutes while
  its context switches, migrations and syscalls per request stay the same (measured with
  `perf stat` while it happened), and every target has such low repeats. The median of three
  repeats drops one of them; a spread that reaches far below the median is that, not the code.
- Peak RSS per cell is VmRSS sampled every 100 ms (sum over nginx's master and worker); the
  start-up table gives VmHWM, the kernel's exact peak over each process's life.
- cppapp+scrape is cppapp with a client fetching `GET /metrics` every second during the cell,
  as Prometheus would; compare it with the cppapp row of the same cell. The per-request cost
  of counting is in both rows (it cannot be switched off); the scrape's cost is the difference.
"""


def write_chart(path, summary, target_order, scenarios, connections, scratch):
    """A PNG with req/s, p99 and CPU per request per cell, one bar per target; None without gnuplot."""
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        return None
    by_key = {(c["target"], c["scenario"], c["connections"]): c for c in summary}
    data_path = os.path.join(scratch, "chart.dat")
    with open(data_path, "w") as data:
        for name in scenarios:
            for conns in connections:
                values = []
                for metric in ("rps", "p99_ms", "cpu_us_per_req"):
                    for target in target_order:
                        cell = by_key.get((target, name, conns))
                        value = cell.get(metric) if cell else None
                        values.append(f"{value['median']:.4g}" if value else "?")
                data.write(f'"{name} c={conns}" ' + " ".join(values) + "\n")
    count = len(target_order)
    rps_cols = ", ".join(
        f"'{data_path}' using {i + 2}:xtic(1) title '{t}'" if i == 0 else
        f"'' using {i + 2} title '{t}'" for i, t in enumerate(target_order))
    def columns(offset):
        return ", ".join(
            f"'{data_path}' using {offset + i + 2}:xtic(1) title '{t}'" if i == 0 else
            f"'' using {offset + i + 2} title '{t}'" for i, t in enumerate(target_order))
    p99_cols = columns(count)
    cpu_cols = columns(2 * count)
    script = f"""
set terminal pngcairo size 1400,1300 font ',10' noenhanced
set output '{path}'
set datafile missing '?'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key outside right top
set grid ytics
set xtics rotate by -30
set multiplot layout 3,1
set title 'requests/s (median; log scale; missing bar = n/a)'
set logscale y
plot {rps_cols}
set title 'p99 latency, ms (median; log scale)'
plot {p99_cols}
set title 'server CPU time per request, µs (median; log scale; wrk not included)'
plot {cpu_cols}
unset multiplot
"""
    subprocess.run([gnuplot], input=script, text=True, check=True)
    return path


def write_json(path, results):
    with open(path, "w") as handle:
        json.dump(results, handle, indent=1, sort_keys=False)
        handle.write("\n")
