#!/usr/bin/python3
"""Optuna 3.1's TPE (univariate, multivariate) and RandomSampler on Branin, Hartmann-6 and a mixed space.

Run with Debian's /usr/bin/python3 (python3-optuna 3.1.0): `/usr/bin/python3 bench/tuning/optuna_bench.py [trials] [seeds]`.
Prints CSV: function, sampler, median best value, median trials to reach the target (trials+1 when never reached).
The same functions, spaces and targets are in bench/Atelier.Bench/TuneBenchmark.cs.
"""
import math
import statistics
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

A6 = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P6 = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
      [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(t):
    x1, x2 = t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15)
    b, c, s = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - s) * math.cos(x1) + 10


def hartmann6(t):
    x = [t.suggest_float(f"x{i}", 0, 1) for i in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A6[i][j] * (x[j] - P6[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def mixed(t):
    lr = t.suggest_float("lr", 1e-4, 1.0, log=True)
    n = t.suggest_int("n", 1, 20)
    c = t.suggest_categorical("c", ["a", "b", "c"])
    return (math.log10(lr) + 2) ** 2 + ((n - 7) / 5) ** 2 + {"a": 0.5, "b": 0.0, "c": 1.0}[c]


FUNCTIONS = {"branin": (branin, 0.5), "hartmann6": (hartmann6, -3.0), "mixed": (mixed, 0.1)}
SAMPLERS = {
    "tpe": lambda s: optuna.samplers.TPESampler(seed=s),
    "tpe-multivariate": lambda s: optuna.samplers.TPESampler(seed=s, multivariate=True),
    "random": lambda s: optuna.samplers.RandomSampler(seed=s),
}

trials = int(sys.argv[1]) if len(sys.argv) > 1 else 50
seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
print("library,function,sampler,median_best,median_trials_to_target")
for fname, (f, target) in FUNCTIONS.items():
    for sname, make in SAMPLERS.items():
        bests, hits = [], []
        for seed in range(seeds):
            study = optuna.create_study(sampler=make(seed))
            study.optimize(f, n_trials=trials)
            values = [t.value for t in study.trials]
            bests.append(min(values))
            hit = next((i + 1 for i, _ in enumerate(values) if min(values[: i + 1]) <= target), trials + 1)
            hits.append(hit)
        print(f"optuna,{fname},{sname},{statistics.median(bests):.4f},{statistics.median(hits):g}", flush=True)
