"""PyTorch peer of an Atelier training run: the same recipe's epochs on the same Fashion-MNIST images, timed.

Reads the options.json of an Atelier run folder (what `atelier train` wrote for that run) and trains the same model
(bench/pytorch/models.py) with the same optimiser, schedule, loss, label smoothing, mixup / CutMix and augmentation (random crop with
zero padding, horizontal flip, random erasing, applied per batch on tensors), batch by batch over the first --images
training images, for --epochs epochs. Prints each epoch's seconds and images per second; the last epoch is the warm
one that bench/recipe_epoch.py sets beside Atelier's. What is timed is what Atelier's epoch clock times: shuffling,
gathering, augmenting, normalising, forward, loss, backward and the optimiser and scheduler steps.

  /usr/bin/python3 bench/pytorch/recipe_epoch.py --options RUN/options.json [--images 12800] [--epochs 2]
                                                 [--threads 2] [--data DIR] [--json OUT]
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
import time

MEAN, STD = 0.2860, 0.3530  # the training set's pixel mean and deviation (pixel/255); Atelier computes its subset's


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Train an Atelier run's recipe in PyTorch and time its epochs.")
    p.add_argument("--options", required=True, help="an Atelier run folder's options.json")
    p.add_argument("--images", type=int, default=12_800, help="training images per epoch (the first N); default 12800")
    p.add_argument("--epochs", type=int, default=2, help="epochs to time; default 2 (the first one warms up)")
    p.add_argument("--threads", type=int, default=2, help="intra-op threads; default 2")
    p.add_argument("--data", default=os.environ.get("ATELIER_DATA"), help="folder of the IDX files; default $ATELIER_DATA")
    p.add_argument("--json", metavar="OUT", help="write the epochs' seconds as JSON")
    args = p.parse_args(argv)
    if args.images < 1 or args.epochs < 1 or args.threads < 1:
        p.error("--images, --epochs and --threads must be at least 1")
    if not args.data:
        p.error("no data folder: pass --data or set ATELIER_DATA")
    return args


def read_idx(path: str, torch):
    """An IDX file (gzipped or not) as a uint8 tensor of its declared shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return torch.frombuffer(bytearray(raw[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def idx_file(folder: str, stem: str) -> str:
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise FileNotFoundError(f"no {stem}(.gz) in {folder}")


class Augment:
    """Atelier's Augmenter, batched: crop (shift of -p..p with zero fill), flip (p = 0.5), erasing (torchvision's draw)."""

    def __init__(self, o: dict, torch, generator):
        self.torch, self.g = torch, generator
        on = o["augment"] == "true"
        self.pad = int(o["crop-padding"]) if on else 0
        self.flip = on and o["flip"] == "true"
        self.erase = float(o["erase"]) if on else 0.0
        if on and float(o["rotate"]) != 0:
            raise SystemExit("--rotate is not mirrored here: time a recipe without rotation")

    def __call__(self, x):  # x: (B, 1, H, W) floats in [0, 1]
        torch = self.torch
        b, _, h, w = x.shape
        if self.pad:
            p = self.pad
            padded = torch.nn.functional.pad(x, (p, p, p, p))
            dy = torch.randint(0, 2 * p + 1, (b, 1, 1), generator=self.g)
            dx = torch.randint(0, 2 * p + 1, (b, 1, 1), generator=self.g)
            rows = dy + torch.arange(h).view(1, h, 1)
            cols = dx + torch.arange(w).view(1, 1, w)
            x = padded[torch.arange(b).view(b, 1, 1), 0, rows, cols].unsqueeze(1)
        if self.flip:
            flip = torch.rand(b, generator=self.g) < 0.5
            x = torch.where(flip.view(b, 1, 1, 1), x.flip(-1), x)
        if self.erase:
            for i in torch.nonzero(torch.rand(b, generator=self.g) < self.erase).flatten().tolist():
                self._erase(x[i, 0], h, w)
        return x

    def _erase(self, image, h: int, w: int) -> None:
        torch = self.torch
        log_ratio = (math.log(0.3), math.log(3.3))
        for _ in range(10):
            area = h * w * torch.empty(1).uniform_(0.02, 0.33, generator=self.g).item()
            aspect = math.exp(torch.empty(1).uniform_(*log_ratio, generator=self.g).item())
            eh, ew = round(math.sqrt(area * aspect)), round(math.sqrt(area / aspect))
            if 1 <= eh < h and 1 <= ew < w:
                top = torch.randint(0, h - eh + 1, (1,), generator=self.g).item()
                left = torch.randint(0, w - ew + 1, (1,), generator=self.g).item()
                image[top:top + eh, left:left + ew] = 0
                return


class Mix:
    """Atelier's BatchMixer (timm's batch mode): one lam ~ Beta(a, a) per batch, image i paired with image B-1-i."""

    def __init__(self, o: dict, torch, generator):
        self.torch, self.g = torch, generator
        self.mixup, self.cutmix = float(o.get("mixup", "0")), float(o.get("cutmix", "0"))
        self.prob = float(o.get("mix-prob", "1"))

    def __call__(self, x, y):
        """Returns the mixed images, the partner labels and lam (None, 1.0 when the batch is left alone)."""
        torch = self.torch
        if self.mixup + self.cutmix == 0 or x.shape[0] < 2 or torch.rand(1, generator=self.g).item() >= self.prob:
            return x, None, 1.0
        cut = self.mixup == 0 or (self.cutmix > 0 and torch.rand(1, generator=self.g).item() < 0.5)
        alpha = self.cutmix if cut else self.mixup
        lam = torch.distributions.Beta(alpha, alpha).sample().item()
        partner = x.flip(0)
        if cut:
            h, w = x.shape[2:]
            ch, cw = int(h * math.sqrt(1 - lam)), int(w * math.sqrt(1 - lam))
            cy, cx = torch.randint(0, h, (1,), generator=self.g).item(), torch.randint(0, w, (1,), generator=self.g).item()
            t, b = min(max(cy - ch // 2, 0), h), min(max(cy + ch // 2, 0), h)
            l, r = min(max(cx - cw // 2, 0), w), min(max(cx + cw // 2, 0), w)
            x = x.clone()
            x[:, :, t:b, l:r] = partner[:, :, t:b, l:r]
            lam = 1 - (b - t) * (r - l) / (h * w)
        else:
            x = lam * x + (1 - lam) * partner
        return x, y.flip(0), lam


def optimiser(o: dict, params, torch):
    name, lr, wd = o["optimizer"], float(o["lr"]), float(o["weight-decay"])
    betas = (float(o["beta1"]), float(o["beta2"]))
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=float(o["momentum"]), nesterov=o["nesterov"] == "true",
                               weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=wd)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    raise SystemExit(f"optimizer '{name}' is not mirrored here")


def scheduler(o: dict, opt, steps_per_epoch: int, epochs: int, torch):
    """Stepped after every batch, as Atelier steps one-cycle (the others' per-epoch steps cost nothing)."""
    s = o["schedule"]
    if s == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=float(o["lr"]), total_steps=epochs * steps_per_epoch)
    if s == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    return None


def main(argv=None) -> int:
    args = parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    try:
        import torch
    except ImportError:
        print("PyTorch not installed (apt-get install python3-torch libopenblas0-pthread).", file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from models import ModelOptions, build

    with open(args.options) as f:
        o = json.load(f)
    torch.set_num_threads(args.threads)
    torch.manual_seed(int(o["seed"]))
    g = torch.Generator().manual_seed(int(o["seed"]))
    images = read_idx(idx_file(args.data, "train-images-idx3-ubyte"), torch)[:args.images]
    labels = read_idx(idx_file(args.data, "train-labels-idx1-ubyte"), torch)[:args.images].long()
    n, batch = images.shape[0], int(o["batch-size"])
    steps = math.ceil(n / batch)

    dropout = float(o["dropout"]) if o.get("dropout") else None
    model = build(o["model"], ModelOptions(dropout=dropout, batch_norm=o["batch-norm"] == "true",
                                           patch=int(o.get("patch", "0"))))
    model.train()
    opt = optimiser(o, model.parameters(), torch)
    sched = scheduler(o, opt, steps, args.epochs, torch)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=float(o["label-smoothing"]))
    augment = Augment(o, torch, g)
    mix = Mix(o, torch, g)

    seconds = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=g)
        loss_sum = 0.0
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            x = augment(images[idx].unsqueeze(1).float().div_(255))
            x = (x - MEAN) / STD
            x, partners, lam = mix(x, labels[idx])
            opt.zero_grad(set_to_none=True)
            out = model(x)
            loss = loss_fn(out, labels[idx])
            if partners is not None:
                loss = lam * loss + (1 - lam) * loss_fn(out, partners)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            loss_sum += loss.item() * idx.numel()
        seconds.append(time.perf_counter() - t0)
        print(f"epoch {epoch}: {seconds[-1]:.2f} s, {n / seconds[-1]:,.0f} img/s, train loss {loss_sum / n:.4f}",
              flush=True)

    if args.json:
        with open(args.json, "w") as out:
            json.dump({"engine": "pytorch", "torch": torch.__version__, "threads": args.threads, "images": n,
                       "epoch_seconds": seconds}, out, indent=2)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
