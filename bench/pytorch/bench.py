"""PyTorch peer of Atelier's benchmark (bench/Atelier.Bench `models`): same models, same timing loop, same JSON.

For each model and batch size, with random 28x28 inputs and labels:
  train_img_s  warm training step (forward + cross-entropy + backward + Adam step), images per second;
  infer_img_s  inference at the same batch (eval mode, no_grad), images per second;
  latency_ms   one image through the model (batch 1, eval, no_grad), milliseconds; measured once per model
               and reported on the row of its smallest batch (batch 1 by default), null on the others.
Each figure: warm-up, then the median of several timed repetitions, the whole measurement time-boxed to
about --budget seconds. A training step that PyTorch refuses (BatchNorm1d at batch 1) is reported as null.

Run with Debian's python (torch 1.13 CPU, needs libopenblas0-pthread):
  /usr/bin/python3 bench/pytorch/bench.py [--threads 2] [--models mlp,cnn] [--batches 1,64,256] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone

DEFAULT_MODELS = ["mlp", "mlp-bn", "cnn", "cnn-c", "cnn-wide", "resnet-small"]
DEFAULT_BATCHES = [1, 64, 256]
# Models PyTorch runs so slowly (cnn-wide: ~72 img/s at batch 64) that their rows get a smaller time box.
SLOW_MODELS = {"cnn-wide", "vgg11", "vgg16", "resnet", "resnet9"}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="PyTorch side of Atelier's model benchmark.")
    p.add_argument("--threads", type=int, default=2, help="intra-op threads (torch.set_num_threads); default 2")
    p.add_argument("--models", default=",".join(DEFAULT_MODELS),
                   help=f"comma-separated zoo names, or 'all'; default {','.join(DEFAULT_MODELS)}")
    p.add_argument("--batches", default=",".join(map(str, DEFAULT_BATCHES)),
                   help="comma-separated batch sizes; default 1,64,256")
    p.add_argument("--budget", type=float, default=2.0,
                   help="seconds per measurement (train, inference, latency each), warm-up excluded; default 2")
    p.add_argument("--json", metavar="OUT", help="write the results as JSON (schema shared with Atelier.Bench)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.threads < 1:
        p.error("--threads must be at least 1")
    try:
        args.batches = [int(b) for b in args.batches.split(",") if b.strip()]
    except ValueError:
        p.error("--batches must be comma-separated integers, e.g. 1,64,256")
    if not args.batches or min(args.batches) < 1:
        p.error("--batches must list positive integers")
    return args


def pin_threads(threads: int) -> None:
    """Before torch loads: OpenMP (ATen, oneDNN) and the pthread OpenBLAS read these once, at start-up."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def loaded_blas() -> str:
    """Which BLAS the process mapped (Debian switches libblas.so.3 through alternatives)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
    except OSError:
        return "unknown"
    if any("openblas" in lib for lib in libs):
        return "OpenBLAS (" + ("pthread" if any("pthread" in lib for lib in libs) else "openmp/serial") + ")"
    return "reference BLAS (slow: apt-get install libopenblas0-pthread)" if libs else "none mapped yet"


def environment_check(torch, threads: int) -> str:
    """One line that shows the comparison is fair: threads honoured, oneDNN convolutions, a real BLAS."""
    convs_on_onednn = False
    if torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled:
        conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        with torch.autograd.profiler.profile() as prof:
            conv(torch.randn(2, 1, 28, 28)).sum().backward()
        convs_on_onednn = any("mkldnn" in e.name for e in prof.function_events)
    a = torch.randn(64, 64)
    _ = a @ a  # maps the BLAS
    got = torch.get_num_threads()
    return (f"torch {torch.__version__}; threads {got}" + ("" if got == threads else f" (asked {threads}!)")
            + f"; oneDNN convolutions: {'yes' if convs_on_onednn else 'NO'}; BLAS: {loaded_blas()}"
            + f"; OMP_WAIT_POLICY {os.environ.get('OMP_WAIT_POLICY') or 'default'}")


def timed_median(step, items_per_call: int, budget: float, warmup: int = 2) -> tuple[float, float]:
    """(median seconds per call, items per second) over repetitions sized to fit about `budget` seconds."""
    for _ in range(warmup):
        t0 = time.perf_counter()
        step()
        if time.perf_counter() - t0 > budget / 2:
            break  # a slow step (cnn-wide): one warm-up call is enough, keep the row short
    t0 = time.perf_counter()
    step()
    one = max(time.perf_counter() - t0, 1e-7)
    calls_per_rep = max(1, round(budget / 5 / one))
    rep = calls_per_rep * one
    reps = max(1, min(5, int(budget / rep)))
    if reps < 3 and one <= budget:
        reps = 3  # a median needs three; only a single call longer than the whole budget gets fewer
    per_call = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls_per_rep):
            step()
        per_call.append((time.perf_counter() - t0) / calls_per_rep)
    seconds = statistics.median(per_call)
    return seconds, items_per_call / seconds


def bench_model(torch, name: str, batches: list[int], budget: float, seed: int) -> list[dict]:
    from models import build

    torch.manual_seed(seed)
    model = build(name)
    f = torch.nn.functional
    rows = []
    for batch in batches:
        x = torch.randn(batch, 1, 28, 28)
        y = torch.randint(0, 10, (batch,))

        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

        def train_step():
            optimizer.zero_grad(set_to_none=True)
            loss = f.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()

        try:
            _, train = timed_median(train_step, batch, budget)
        except ValueError:  # "Expected more than 1 value per channel when training": BatchNorm at batch 1
            train = None

        model.eval()

        def infer_step():
            with torch.no_grad():
                model(x)

        _, infer = timed_median(infer_step, batch, budget)
        rows.append({"model": name, "batch": batch, "train_img_s": train, "infer_img_s": infer, "latency_ms": None})

    model.eval()
    one = torch.randn(1, 1, 28, 28)

    def single():
        with torch.no_grad():
            model(one)

    # Latency: the median of single calls (calls_per_rep is 1 when a call is slow, else a short loop of them).
    seconds, _ = timed_median(single, 1, budget, warmup=5)
    smallest = min(rows, key=lambda r: r["batch"])
    smallest["latency_ms"] = seconds * 1e3
    return rows


def fmt(value, digits=0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def print_table(rows: list[dict]) -> None:
    header = f"{'model':<14}{'batch':>6}{'train img/s':>14}{'infer img/s':>14}{'latency ms':>12}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['model']:<14}{r['batch']:>6}{fmt(r['train_img_s']):>14}{fmt(r['infer_img_s']):>14}"
              f"{fmt(r['latency_ms'], 3):>12}")


def main(argv=None) -> int:
    args = parse_args(argv)
    pin_threads(args.threads)
    try:
        import torch
    except ImportError:
        print("PyTorch not installed (apt-get install python3-torch libopenblas0-pthread).", file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from models import MODELS

    names = list(MODELS) if args.models.strip().lower() == "all" else \
        [m.strip().lower() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        print(f"Unknown model '{unknown[0]}'. Known models: {', '.join(MODELS)}.", file=sys.stderr)
        return 2

    torch.set_num_threads(args.threads)
    print(environment_check(torch, args.threads), flush=True)
    rows = []
    for name in names:
        budget = args.budget / 2 if name in SLOW_MODELS else args.budget
        model_rows = bench_model(torch, name, sorted(args.batches), budget, args.seed)
        for r in model_rows:
            print(f"  {r['model']} batch {r['batch']}: train {fmt(r['train_img_s'])} img/s, "
                  f"infer {fmt(r['infer_img_s'])} img/s" +
                  (f", latency {r['latency_ms']:.3f} ms" if r["latency_ms"] is not None else ""),
                  file=sys.stderr, flush=True)
        rows += model_rows

    print_table(rows)
    if args.json:
        result = {
            "engine": "pytorch",
            "threads": args.threads,
            "machine": machine_description(),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "rows": rows,
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
