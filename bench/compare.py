"""Atelier against PyTorch, side by side on this machine, and whether performance.md's targets are met.

Runs the Atelier benchmark (bench/Atelier.Bench `models`) and the PyTorch one (bench/pytorch/bench.py)
alternately, --rounds times each (A P, P A, A P, ... so slow drifts of the shared machine hit both alike),
takes the median of each figure per (model, batch), and prints one table with the ratios (Atelier's speed-up:
above 1 means Atelier is faster; for latency, PyTorch ms / Atelier ms). Writes the combined JSON and a
markdown table to bench/results/ (compare-<date>.json/.md, and compare-latest.json/.md).

  /usr/bin/python3 bench/compare.py [--rounds 3] [--threads 2] [--models mlp,cnn] [--batches 1,64,256]
                                    [--atelier-json FILE ...] [--pytorch-json FILE ...]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
RESULTS = os.path.join(BENCH, "results")
PYTORCH_BENCH = os.path.join(BENCH, "pytorch", "bench.py")
ATELIER_PROJECT = os.path.join("bench", "Atelier.Bench")
NO_TORCH = "PyTorch not installed (apt-get install python3-torch libopenblas0-pthread): showing Atelier only"
FIELDS = ("train_img_s", "infer_img_s", "latency_ms")

# performance.md's targets (Atelier / PyTorch), throughput at batch > 1; the latency one is absolute.
TRAIN_TARGETS = {"mlp": 3.0, "mlp-bn": 3.0}
CNN_TRAIN_TARGET = 2.0
INFER_TARGET = 2.0
LATENCY_MODEL, LATENCY_TARGET_MS = "cnn", 1.0


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Atelier against PyTorch, alternating runs, medians, ratios, targets.")
    p.add_argument("--rounds", type=int, default=3, help="runs of each engine, interleaved; default 3")
    p.add_argument("--threads", type=int, default=2, help="threads for both engines; default 2")
    p.add_argument("--models", help="comma-separated zoo names (each engine's default set when left out)")
    p.add_argument("--batches", help="comma-separated batch sizes (default 1,64,256)")
    p.add_argument("--budget", type=float, help="PyTorch seconds per measurement (bench.py --budget)")
    p.add_argument("--atelier-json", action="append", default=[], metavar="FILE",
                   help="use this Atelier result instead of running Atelier.Bench (repeatable: one per round)")
    p.add_argument("--pytorch-json", action="append", default=[], metavar="FILE",
                   help="use this PyTorch result instead of running bench.py (repeatable: one per round)")
    p.add_argument("--no-pytorch", action="store_true", help="show Atelier only")
    p.add_argument("--out", default=RESULTS, help="folder for the combined JSON and markdown (default bench/results)")
    args = p.parse_args(argv)
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    return args


def torch_python() -> str | None:
    """A python that imports torch: this one, else Debian's (the `python3` on PATH may be another)."""
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        if python and os.path.exists(python) and subprocess.run(
                [python, "-c", "import torch"], capture_output=True).returncode == 0:
            return python
    return None


def selection(args) -> list[str]:
    extra = []
    if args.models:
        extra += ["--models", args.models]
    if args.batches:
        extra += ["--batches", args.batches]
    return extra + ["--threads", str(args.threads)]


def build_atelier() -> None:
    dotnet = shutil.which("dotnet")
    if dotnet is None:
        raise RuntimeError("dotnet is not on PATH, so the Atelier benchmark cannot run (or pass --atelier-json).")
    print("building Atelier.Bench (Release)...", flush=True)
    done = subprocess.run([dotnet, "build", "-c", "Release", ATELIER_PROJECT, "-v", "quiet", "-nologo"], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"Atelier.Bench does not build (dotnet build exit {done.returncode}):\n{tail}")


def run_atelier(args, out: str) -> dict:
    cmd = ["dotnet", "run", "-c", "Release", "--no-build", "--project", ATELIER_PROJECT, "--",
           "models", "--json", out] + selection(args)
    print("  atelier: " + " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"the Atelier benchmark failed (exit {done.returncode}).")
    return load(out, "atelier")


def run_pytorch(args, python: str, out: str) -> dict:
    cmd = [python, PYTORCH_BENCH, "--json", out] + selection(args)
    if args.budget:
        cmd += ["--budget", str(args.budget)]
    print("  pytorch: " + " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"the PyTorch benchmark failed (exit {done.returncode}).")
    return load(out, "pytorch")


def load(path: str, engine: str) -> dict:
    with open(path) as f:
        result = json.load(f)
    for key in ("engine", "threads", "machine", "date", "rows"):
        if key not in result:
            raise ValueError(f"{path} is not a benchmark result: it has no '{key}'.")
    if result["engine"] != engine:
        raise ValueError(f"{path} holds '{result['engine']}' results where '{engine}' ones were expected.")
    return result


def medians(runs: list[dict]) -> dict[tuple[str, int], dict]:
    """(model, batch) → {field: median over the runs that have it, or None}, in first-seen order."""
    samples: dict[tuple[str, int], dict[str, list[float]]] = {}
    for run in runs:
        for row in run["rows"]:
            per = samples.setdefault((row["model"], int(row["batch"])), {f: [] for f in FIELDS})
            for field in FIELDS:
                if row.get(field) is not None:
                    per[field].append(float(row[field]))
    return {key: {f: (statistics.median(v) if v else None) for f, v in per.items()} for key, per in samples.items()}


def train_target(model: str) -> float | None:
    if model in TRAIN_TARGETS:
        return TRAIN_TARGETS[model]
    if model.startswith(("cnn", "resnet", "vgg")):
        return CNN_TRAIN_TARGET
    return None


def ratio(a, p, inverse=False):
    if a is None or p is None or a == 0 or p == 0:
        return None
    return p / a if inverse else a / p


def combine(atelier: dict, pytorch: dict | None) -> list[dict]:
    keys = list(atelier) + [k for k in (pytorch or {}) if k not in atelier]
    model_order = list(dict.fromkeys(model for model, _ in keys))
    keys.sort(key=lambda k: (model_order.index(k[0]), k[1]))  # each model's batches together, ascending
    rows = []
    for model, batch in keys:
        a = atelier.get((model, batch), dict.fromkeys(FIELDS))
        p = (pytorch or {}).get((model, batch), dict.fromkeys(FIELDS))
        row = {"model": model, "batch": batch}
        for field, inverse in (("train_img_s", False), ("infer_img_s", False), ("latency_ms", True)):
            short = field.split("_")[0]
            row[f"atelier_{field}"] = a[field]
            row[f"pytorch_{field}"] = p[field]
            row[f"{short}_ratio"] = ratio(a[field], p[field], inverse)
        t = train_target(model) if batch > 1 else None
        row["train_target"] = t
        row["train_met"] = None if t is None or row["train_ratio"] is None else row["train_ratio"] >= t
        t = INFER_TARGET if batch > 1 else None
        row["infer_target"] = t
        row["infer_met"] = None if t is None or row["infer_ratio"] is None else row["infer_ratio"] >= t
        lat = a["latency_ms"]
        row["latency_target_ms"] = LATENCY_TARGET_MS if model == LATENCY_MODEL and lat is not None else None
        row["latency_met"] = None if row["latency_target_ms"] is None else lat < LATENCY_TARGET_MS
        rows.append(row)
    return rows


def num(value, digits=0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def times(value) -> str:
    return "–" if value is None else f"{value:.2f}x"


def verdict(met, target, unit="x") -> str:
    if met is None:
        return ""
    bound = f"≥{target:g}x" if unit == "x" else f"<{target:g} ms"
    return ("yes " if met else "NO ") + bound


COLUMNS = ["model", "batch",
           "train A img/s", "train PT img/s", "train ratio", "target",
           "infer A img/s", "infer PT img/s", "infer ratio", "target",
           "latency A ms", "latency PT ms", "lat. ratio", "target"]


def cells(row: dict) -> list[str]:
    return [row["model"], str(row["batch"]),
            num(row["atelier_train_img_s"]), num(row["pytorch_train_img_s"]), times(row["train_ratio"]),
            verdict(row["train_met"], row["train_target"]),
            num(row["atelier_infer_img_s"]), num(row["pytorch_infer_img_s"]), times(row["infer_ratio"]),
            verdict(row["infer_met"], row["infer_target"]),
            num(row["atelier_latency_ms"], 3), num(row["pytorch_latency_ms"], 3), times(row["latency_ratio"]),
            verdict(row["latency_met"], row["latency_target_ms"], unit="ms")]


def text_table(rows: list[dict]) -> str:
    grid = [COLUMNS] + [cells(r) for r in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    lines = []
    for n, line in enumerate(grid):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))))
        if n == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def markdown_table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(["---"] + ["--:"] * (len(COLUMNS) - 1)) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") or " " for c in cells(r)) + " |")
    return "\n".join(lines)


def summary(rows: list[dict]) -> str:
    checks = [(r, k) for r in rows for k in ("train", "infer", "latency") if r[f"{k}_met"] is not None]
    if not checks:
        return "targets: nothing to check (a side is missing)"
    missed = [f"{r['model']}/{r['batch']} {k}" for r, k in checks if not r[f"{k}_met"]]
    return f"targets: {len(checks) - len(missed)} of {len(checks)} met" + \
        (f"; missed: {', '.join(missed)}" if missed else "")


def main(argv=None) -> int:
    args = parse_args(argv)
    python = None if args.no_pytorch or args.pytorch_json else torch_python()
    use_pytorch = bool(args.pytorch_json) or python is not None
    if not use_pytorch:
        print(NO_TORCH if not args.no_pytorch else "PyTorch skipped (--no-pytorch): showing Atelier only",
              flush=True)

    atelier_runs = [load(f, "atelier") for f in args.atelier_json]
    pytorch_runs = [load(f, "pytorch") for f in args.pytorch_json]
    run_a = not args.atelier_json
    run_p = use_pytorch and not args.pytorch_json
    failure = None
    if run_a:
        try:
            build_atelier()
        except RuntimeError as e:
            failure, run_a = str(e), False
            print(failure, flush=True)

    with tempfile.TemporaryDirectory(prefix="atelier-compare-") as tmp:
        for r in range(args.rounds if run_a or run_p else 0):
            print(f"round {r + 1}/{args.rounds}", flush=True)
            order = ["atelier", "pytorch"] if r % 2 == 0 else ["pytorch", "atelier"]
            for engine in order:
                try:
                    if engine == "atelier" and run_a:
                        atelier_runs.append(run_atelier(args, os.path.join(tmp, f"atelier-{r}.json")))
                    elif engine == "pytorch" and run_p:
                        pytorch_runs.append(run_pytorch(args, python, os.path.join(tmp, f"pytorch-{r}.json")))
                except (RuntimeError, ValueError, OSError) as e:
                    failure = str(e)
                    print(failure, flush=True)
                    run_a, run_p = run_a and engine != "atelier", run_p and engine != "pytorch"

    if not atelier_runs and not pytorch_runs:
        print("Nothing to compare: neither benchmark produced results.", file=sys.stderr)
        return 1
    if not atelier_runs:
        print("Atelier results missing: showing PyTorch only.", flush=True)

    rows = combine(medians(atelier_runs), medians(pytorch_runs) if pytorch_runs else None)
    first = (atelier_runs or pytorch_runs)[0]
    now = datetime.now(timezone.utc)
    head = (f"Atelier vs PyTorch, {args.threads} threads, medians of {len(atelier_runs)} Atelier and "
            f"{len(pytorch_runs)} PyTorch runs; {first['machine']}; {now.isoformat(timespec='seconds')}")
    print()
    print(head)
    print(text_table(rows))
    print(summary(rows))

    os.makedirs(args.out, exist_ok=True)
    combined = {"threads": args.threads, "machine": first["machine"], "date": now.isoformat(timespec="seconds"),
                "rounds": args.rounds, "rows": rows, "atelier_runs": atelier_runs, "pytorch_runs": pytorch_runs}
    stamp = now.strftime("%Y%m%d-%H%M%S")
    markdown = f"{head}\n\n{markdown_table(rows)}\n\n{summary(rows)}\n"
    for name in (f"compare-{stamp}", "compare-latest"):
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            json.dump(combined, f, indent=2)
            f.write("\n")
        with open(os.path.join(args.out, name + ".md"), "w") as f:
            f.write(markdown)
    print(f"wrote {os.path.relpath(os.path.join(args.out, f'compare-{stamp}.json'), os.getcwd())} and .md")
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
