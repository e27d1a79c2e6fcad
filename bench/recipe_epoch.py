"""A recipe's training epoch in Atelier and in PyTorch, side by side: the ratio behind "time to accuracy".

For a training config (recipes/*.yaml, or Atelier's defaults), alternates --rounds times (A P, P A, ...):
  Atelier  `atelier train --config FILE --epochs E --train-size N --test-size 100 --tta none` in a temporary folder,
           its last epoch's seconds from the run's metrics.csv (Atelier's epoch clock: augmenting, loading and
           training; the validation pass after it is not counted);
  PyTorch  bench/pytorch/recipe_epoch.py on that run's options.json: the same model, optimiser, schedule, loss and
           augmentation on the same N images, its last epoch's seconds.
The last of E epochs is the warm one. Prints each round, the medians, PyTorch's seconds over Atelier's, and what the
recipe's full epochs (60,000 images less its validation split) take in each engine, extrapolated from the medians.

  /usr/bin/python3 bench/recipe_epoch.py [--config recipes/resnet9-hour.yaml] [--images 12800] [--epochs 2]
                                         [--rounds 2] [--threads 2]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PYTORCH_SIDE = os.path.join(BENCH, "pytorch", "recipe_epoch.py")
CLI_DLL = os.path.join(ROOT, "src", "Atelier.Cli", "bin", "Release", "net10.0", "Atelier.Cli.dll")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="A recipe's epoch in Atelier and PyTorch, alternating, medians, ratio.")
    p.add_argument("--config", help="the training config (default: Atelier's default options)")
    p.add_argument("--images", type=int, default=12_800, help="training images per timed epoch; default 12800")
    p.add_argument("--epochs", type=int, default=2, help="epochs per run, the last one timed; default 2")
    p.add_argument("--rounds", type=int, default=2, help="runs of each engine, interleaved; default 2")
    p.add_argument("--threads", type=int, default=2, help="threads for both engines; default 2")
    args = p.parse_args(argv)
    if min(args.images, args.epochs, args.rounds, args.threads) < 1:
        p.error("--images, --epochs, --rounds and --threads must be at least 1")
    if args.config and not os.path.isfile(args.config):
        p.error(f"no config file {args.config}")
    if not os.path.isfile(CLI_DLL):
        p.error(f"no {CLI_DLL}: build it first (dotnet build -c Release src/Atelier.Cli)")
    return args


def run_atelier(args, folder: str) -> tuple[float, str]:
    """(the last epoch's seconds, the run's options.json)."""
    cmd = ["dotnet", CLI_DLL, "train"] + (["--config", args.config] if args.config else []) + [
        "--epochs", str(args.epochs), "--train-size", str(args.images), "--test-size", "100", "--tta", "none",
        "--threads", str(args.threads), "--output", folder, "--name", "recipe-epoch"]
    print("  atelier: " + " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"atelier train failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    run = glob.glob(os.path.join(folder, "*-recipe-epoch"))[0]
    with open(os.path.join(run, "metrics.csv")) as f:
        last = f.read().strip().splitlines()[-1].split(",")
    return float(last[-1]), os.path.join(run, "options.json")


def run_pytorch(args, options: str, out: str) -> float:
    cmd = [sys.executable, PYTORCH_SIDE, "--options", options, "--images", str(args.images),
           "--epochs", str(args.epochs), "--threads", str(args.threads), "--json", out]
    print("  pytorch: " + " ".join(cmd[1:]), flush=True)
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        raise RuntimeError("the PyTorch side failed")
    with open(out) as f:
        return json.load(f)["epoch_seconds"][-1]


def recipe_shape(options: str, config: str | None) -> tuple[int, int, str]:
    """(training images per epoch, epochs, model) of the recipe itself, not of the shortened timing run."""
    with open(options) as f:
        o = json.load(f)
    epochs = 10
    if config:
        with open(config) as f:
            found = re.search(r"^epochs:\s*(\d+)", f.read(), re.MULTILINE)
        epochs = int(found.group(1)) if found else epochs
    return 60_000 - int(o["val-size"]), epochs, o["model"]


def main(argv=None) -> int:
    args = parse_args(argv)
    if subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode != 0:
        print("PyTorch not installed for this python (run it with /usr/bin/python3; apt-get install python3-torch).",
              file=sys.stderr)
        return 2
    atelier, pytorch, options = [], [], None
    with tempfile.TemporaryDirectory(prefix="atelier-recipe-epoch-") as tmp:
        for r in range(args.rounds):
            def a():
                nonlocal options
                seconds, options = run_atelier(args, os.path.join(tmp, f"atelier-{r}"))
                atelier.append(seconds)

            def p():
                pytorch.append(run_pytorch(args, options, os.path.join(tmp, f"pytorch-{r}.json")))

            first, second = (a, p) if r % 2 == 0 or options is None else (p, a)
            first()
            second()
            print(f"round {r + 1}: Atelier {atelier[-1]:.2f} s, PyTorch {pytorch[-1]:.2f} s "
                  f"for {args.images:,} images", flush=True)
        images, epochs, model = recipe_shape(options, args.config)
    a_med, p_med = statistics.median(atelier), statistics.median(pytorch)
    scale = images / args.images
    print(f"\n{args.config or 'the default options'} ({model}), {args.threads} threads, {args.rounds} rounds")
    print("| engine | seconds per epoch of {:,} (median) | img/s | recipe's {} epochs of {:,} |".format(
        args.images, epochs, images))
    print("|---|--:|--:|--:|")
    for name, s in (("Atelier", a_med), ("PyTorch", p_med)):
        print(f"| {name} | {s:.2f} ({', '.join(f'{x:.2f}' for x in (atelier if name == 'Atelier' else pytorch))}) "
              f"| {args.images / s:,.0f} | {s * scale * epochs / 60:.1f} min |")
    print(f"PyTorch / Atelier: {p_med / a_med:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
