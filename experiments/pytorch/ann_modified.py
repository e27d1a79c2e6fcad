"""Report 000/001's "ANN (modified)" trained the way a PyTorch notebook would, to compare with Atelier's `mlp-bn` row.

Linear 392/196/98 blocks, each Linear -> ReLU -> BatchNorm1d -> Dropout 0.2, then Linear 10 with log_softmax + NLL;
Adam lr 1e-3, batch 64, 30 epochs, a random 50,000 / 10,000 train / validation split, inputs in [0, 1] (ToTensor)
or standardised (--normalize). No batch-norm recalibration. Prints each epoch and, at the end, the test accuracy
of the last epoch and of the best validation epoch.

  /usr/bin/python3 experiments/pytorch/ann_modified.py --seed 0 [--normalize] [--data ../shared/datasets/fashion-mnist]
"""
import argparse
import gzip
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def images(path):
    return np.frombuffer(gzip.open(path).read(), np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255


def labels(path):
    return np.frombuffer(gzip.open(path).read(), np.uint8, offset=8).astype(np.int64)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--normalize", action="store_true", help="standardise inputs (mean 0.2860, std 0.3530)")
    p.add_argument("--data", default=os.environ.get("ATELIER_DATA", "../shared/datasets/fashion-mnist"))
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    def load(kind):
        x = torch.tensor(images(os.path.join(a.data, f"{kind}-images-idx3-ubyte.gz")))
        y = torch.tensor(labels(os.path.join(a.data, f"{kind}-labels-idx1-ubyte.gz")))
        return ((x - 0.2860) / 0.3530 if a.normalize else x), y

    x, y = load("train")
    x_test, y_test = load("t10k")
    order = torch.randperm(len(x))
    train, val = order[10000:], order[:10000]

    def block(i, o):
        return [nn.Linear(i, o), nn.ReLU(), nn.BatchNorm1d(o), nn.Dropout(0.2)]

    net = nn.Sequential(nn.Flatten(), *block(784, 392), *block(392, 196), *block(196, 98), nn.Linear(98, 10))
    opt = torch.optim.Adam(net.parameters(), 1e-3)

    def evaluate(xs, ys):
        net.eval()
        with torch.no_grad():
            out = net(xs)
        return (out.argmax(1) == ys).float().mean().item(), F.cross_entropy(out, ys).item()

    best = (0.0, 0.0, 0)
    for epoch in range(1, 31):
        net.train()
        total = 0.0
        shuffled = train[torch.randperm(len(train))]
        for i in range(0, len(shuffled), 64):
            idx = shuffled[i:i + 64]
            loss = F.nll_loss(F.log_softmax(net(x[idx]), 1), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        val_acc, val_loss = evaluate(x[val], y[val])
        test_acc, _ = evaluate(x_test, y_test)
        if val_acc > best[0]:
            best = (val_acc, test_acc, epoch)
        print(f"epoch {epoch}  train loss {total / len(train):.3f}  val loss {val_loss:.3f} acc {val_acc:.4f}  "
              f"test acc {test_acc:.4f}", flush=True)
    print(f"seed {a.seed} normalize {a.normalize}: last epoch test {test_acc:.4f}; "
          f"best validation {best[0]:.4f} (epoch {best[2]}) test {best[1]:.4f}")


if __name__ == "__main__":
    main()
