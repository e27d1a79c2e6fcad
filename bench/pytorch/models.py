"""Atelier's model zoo in PyTorch, layer for layer.

Source of truth: src/Atelier/Models/{Mlps,Cnns,Vggs,ResNets}.cs. Every model is an nn.Sequential whose
children appear in exactly the same order as Atelier's Sequential, so state_dict names match
("1.weight" is mlp's first Linear, "0.weight" cnn's first convolution). Options mirror ModelOptions.cs.

Usage:  from models import build, MODELS;  net = build("cnn")
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from torch import nn


@dataclass(frozen=True)
class ModelOptions:
    """What a zoo model is built for (ModelOptions.cs): input size, classes, dropout override, BN switch, patches."""
    channels: int = 1
    height: int = 28
    width: int = 28
    classes: int = 10
    dropout: Optional[float] = None  # None keeps each model's own rate
    batch_norm: bool = True
    patch: int = 0  # MLPs read the image as patches of this side (0: whole image)

    @property
    def features(self) -> int:
        return self.channels * self.height * self.width


class Residual(nn.Module):
    """Atelier's Residual(body, shortcut): body(x) + shortcut(x); shortcut None is the identity."""

    def __init__(self, body: nn.Module, shortcut: Optional[nn.Module] = None):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        return self.body(x) + (x if self.shortcut is None else self.shortcut(x))


def _rate(o: ModelOptions, default: float) -> float:
    return default if o.dropout is None else o.dropout


def _conv(in_c: int, out_c: int, kernel: int, pad_h: int, pad_w: int) -> nn.Conv2d:
    """Cnns.Conv: stride 1, padding (pad_h, pad_w), with bias."""
    return nn.Conv2d(in_c, out_c, (kernel, kernel), stride=(1, 1), padding=(pad_h, pad_w))


def _conv_block(layers: list, o: ModelOptions, in_c: int, out_c: int, pool: bool) -> None:
    """Cnns.ConvBlock: Conv 3x3 (padding 1) -> BN -> ReLU (-> MaxPool 2)."""
    layers.append(_conv(in_c, out_c, 3, 1, 1))
    if o.batch_norm:
        layers.append(nn.BatchNorm2d(out_c))
    layers.append(nn.ReLU())
    if pool:
        layers.append(nn.MaxPool2d(2))


# ---- Mlps.cs -------------------------------------------------------------------------------------

class Patchify(nn.Module):
    """Patchify.cs: [N, C, H, W] -> [N*P, C*k*k], one row per k x k patch (nn.Unfold with stride k, transposed)."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self.unfold = nn.Unfold(kernel_size=size, stride=size)

    def forward(self, x):
        rows = self.unfold(x).transpose(1, 2)  # [N, P, C*k*k]
        return rows.reshape(-1, rows.shape[-1])


class PatchMean(nn.Module):
    """PatchMean.cs: [N*P, D] -> [N, D], the mean of each image's P patch rows."""

    def __init__(self, patches: int):
        super().__init__()
        self.patches = patches

    def forward(self, x):
        return x.reshape(-1, self.patches, x.shape[-1]).mean(dim=1)


def _stack(o: ModelOptions, widths, after: Callable[[int], list]) -> nn.Sequential:
    """Mlps.Stack: Flatten (or Patchify), per width Linear + after(width), (PatchMean,) the classifier."""
    in_f, patches = o.features, 0
    if o.patch:
        layers: list = [Patchify(o.patch)]
        patches, in_f = (o.height // o.patch) * (o.width // o.patch), o.channels * o.patch * o.patch
    else:
        layers = [nn.Flatten()]
    for width in widths:
        layers += [nn.Linear(in_f, width), *after(width)]
        in_f = width
    if patches:
        layers.append(PatchMean(patches))
    layers.append(nn.Linear(in_f, o.classes))
    return nn.Sequential(*layers)


def mlp(o: ModelOptions) -> nn.Sequential:
    return _stack(o, (392, 196, 98), lambda _: [nn.ReLU()])


def mlp_bn(o: ModelOptions) -> nn.Sequential:
    p = _rate(o, 0.2)
    return _stack(o, (392, 196, 98), lambda w: [nn.ReLU(), nn.BatchNorm1d(w), nn.Dropout(p)] if o.batch_norm
                  else [nn.ReLU(), nn.Dropout(p)])


def _hidden(o: ModelOptions, widths, activation: Callable[[], nn.Module], dropout: float) -> nn.Sequential:
    """Per width Linear -> activation -> Dropout."""
    return _stack(o, widths, lambda _: [activation(), nn.Dropout(dropout)])


def mlp4(o: ModelOptions) -> nn.Sequential:
    return _hidden(o, (500, 250, 250), nn.ReLU, _rate(o, 0.2))


def mlp_custom(o: ModelOptions) -> nn.Sequential:
    return _hidden(o, (900, 500, 450, 250), nn.LeakyReLU, _rate(o, 0.2))


def dense32(o: ModelOptions) -> nn.Sequential:
    return _stack(o, (32,), lambda _: [nn.Sigmoid()])


def mlp_dropout(o: ModelOptions) -> nn.Sequential:
    return _hidden(o, (128,), nn.ReLU, _rate(o, 0.2))


def mlp_deep(o: ModelOptions) -> nn.Sequential:
    return _hidden(o, (256, 128, 64), nn.ReLU, _rate(o, 0.2))


# ---- Cnns.cs -------------------------------------------------------------------------------------

def cnn(o: ModelOptions) -> nn.Sequential:
    layers: list = []
    _conv_block(layers, o, o.channels, 32, pool=True)
    _conv_block(layers, o, 32, 64, pool=True)
    layers += [nn.Flatten(), nn.Linear(64 * (o.height // 4) * (o.width // 4), 128), nn.ReLU(),
               nn.Dropout(_rate(o, 0.3)), nn.Linear(128, o.classes)]
    return nn.Sequential(*layers)


def cnn_wide(o: ModelOptions) -> nn.Sequential:
    p = _rate(o, 0.2)
    layers: list = []
    in_c = o.channels
    for out_c in (128, 128, 0, 256, 256, 0):
        if out_c == 0:
            layers.append(nn.MaxPool2d(2))
            continue
        layers += [_conv(in_c, out_c, 3, 1, 1), nn.ReLU()]
        if o.batch_norm:
            layers.append(nn.BatchNorm2d(out_c))
        layers.append(nn.Dropout(p))
        in_c = out_c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    for width in (128, 64):
        layers += [nn.Linear(in_c, width), nn.ReLU()]
        if o.batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.Dropout(p))
        in_c = width
    layers.append(nn.Linear(in_c, o.classes))
    return nn.Sequential(*layers)


def cnn_a(o: ModelOptions) -> nn.Sequential:
    layers: list = []
    _conv_block(layers, o, o.channels, 4, pool=True)
    _conv_block(layers, o, 4, 4, pool=True)
    layers += [nn.Flatten(), nn.Linear(4 * (o.height // 4) * (o.width // 4), o.classes)]
    return nn.Sequential(*layers)


def cnn_b(o: ModelOptions) -> nn.Sequential:
    return nn.Sequential(
        _conv(o.channels, 32, 3, 1, 0), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * (o.height // 2) * ((o.width - 2) // 2), 100), nn.ReLU(),
        nn.Linear(100, o.classes))


def cnn_c(o: ModelOptions) -> nn.Sequential:
    p = _rate(o, 0.2)
    layers: list = [_conv(o.channels, 32, 3, 1, 0), nn.ReLU(), nn.MaxPool2d(2), _conv(32, 4, 3, 1, 1)]
    if o.batch_norm:
        layers.append(nn.BatchNorm2d(4))
    layers += [nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()]
    h, w = o.height // 2 // 2, (o.width - 2) // 2 // 2
    layers += [nn.Linear(4 * h * w, 100), nn.LeakyReLU(), nn.Dropout(p)]
    layers += [nn.Linear(100, 150), nn.LeakyReLU(), nn.Dropout(p)]
    layers.append(nn.Linear(150, o.classes))
    return nn.Sequential(*layers)


def _keras(o: ModelOptions, dropout: bool) -> nn.Sequential:
    p = _rate(o, 0.25)
    layers: list = [_conv(o.channels, 32, 3, 0, 0), nn.ReLU(), nn.MaxPool2d(2)]
    if dropout:
        layers.append(nn.Dropout(p))
    layers += [_conv(32, 64, 3, 0, 0), nn.ReLU(), nn.MaxPool2d(2)]
    if dropout:
        layers.append(nn.Dropout(p))
    layers.append(nn.Flatten())
    h, w = ((o.height - 2) // 2 - 2) // 2, ((o.width - 2) // 2 - 2) // 2
    layers += [nn.Linear(64 * h * w, 128), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(2 * p))
    layers.append(nn.Linear(128, o.classes))
    return nn.Sequential(*layers)


def cnn_simple(o: ModelOptions) -> nn.Sequential:
    return _keras(o, dropout=False)


def cnn_dropout(o: ModelOptions) -> nn.Sequential:
    return _keras(o, dropout=True)


def cnn_deep_bn(o: ModelOptions) -> nn.Sequential:
    p = _rate(o, 0.25)
    layers: list = []
    in_c = o.channels
    for out_c in (32, 64):
        _conv_block(layers, o, in_c, out_c, pool=False)
        _conv_block(layers, o, out_c, out_c, pool=True)
        layers.append(nn.Dropout(p))
        in_c = out_c
    layers += [nn.Flatten(), nn.Linear(64 * (o.height // 4) * (o.width // 4), 512), nn.ReLU()]
    if o.batch_norm:
        layers.append(nn.BatchNorm1d(512))
    layers += [nn.Dropout(2 * p), nn.Linear(512, o.classes)]
    return nn.Sequential(*layers)


def _ignite(o: ModelOptions, dropout: float) -> nn.Sequential:
    layers: list = [
        _conv(o.channels, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
        _conv(32, 64, 3, 0, 0), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
    ]
    h, w = (o.height // 2 - 2) // 2, (o.width // 2 - 2) // 2
    in_f = 64 * h * w
    for width in (600, 120):
        layers += [nn.Linear(in_f, width), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        in_f = width
    layers.append(nn.Linear(in_f, o.classes))
    return nn.Sequential(*layers)


def cnn_basic(o: ModelOptions) -> nn.Sequential:
    return _ignite(o, 0.0)


def cnn_better(o: ModelOptions) -> nn.Sequential:
    return _ignite(o, _rate(o, 0.5))


# ---- Vggs.cs -------------------------------------------------------------------------------------

_POOL = 0


def _vgg(o: ModelOptions, config) -> nn.Sequential:
    layers: list = []
    in_c, h, w = o.channels, o.height, o.width
    for out_c in config:
        if out_c == _POOL:
            layers.append(nn.MaxPool2d(2))
            h, w = h // 2, w // 2
            continue
        layers.append(_conv(in_c, out_c, 3, 1, 1))
        if o.batch_norm:
            layers.append(nn.BatchNorm2d(out_c))
        layers.append(nn.ReLU())
        in_c = out_c
    p = _rate(o, 0.5)
    layers += [nn.Flatten(), nn.Linear(in_c * h * w, 512), nn.ReLU(), nn.Dropout(p)]
    layers += [nn.Linear(512, 512), nn.ReLU(), nn.Dropout(p), nn.Linear(512, o.classes)]
    return nn.Sequential(*layers)


def vgg11(o: ModelOptions) -> nn.Sequential:
    return _vgg(o, (64, _POOL, 128, _POOL, 256, 256, _POOL, 512, 512, _POOL, 512, 512))


def vgg16(o: ModelOptions) -> nn.Sequential:
    return _vgg(o, (64, 64, _POOL, 128, 128, _POOL, 256, 256, 256, _POOL, 512, 512, 512, _POOL, 512, 512, 512))


# ---- ResNets.cs ----------------------------------------------------------------------------------

def _res_conv(in_c: int, out_c: int, kernel: int, stride: int) -> nn.Conv2d:
    """ResNets.Conv: padding kernel/2, no bias."""
    return nn.Conv2d(in_c, out_c, (kernel, kernel), stride=(stride, stride),
                     padding=(kernel // 2, kernel // 2), bias=False)


def _basic_block(in_c: int, out_c: int, stride: int) -> Residual:
    body = nn.Sequential(
        _res_conv(in_c, out_c, 3, stride), nn.BatchNorm2d(out_c), nn.ReLU(),
        _res_conv(out_c, out_c, 3, 1), nn.BatchNorm2d(out_c))
    shortcut = None
    if stride != 1 or in_c != out_c:
        shortcut = nn.Sequential(
            nn.Conv2d(in_c, out_c, (1, 1), stride=(stride, stride), padding=(0, 0), bias=False),
            nn.BatchNorm2d(out_c))
    return Residual(body, shortcut)


def _resnet(o: ModelOptions, widths, blocks_per_stage: int) -> nn.Sequential:
    # ResNets ignore the batch-norm switch (as ResNets.cs): BN is what makes them trainable.
    layers: list = [_res_conv(o.channels, widths[0], 3, 1), nn.BatchNorm2d(widths[0]), nn.ReLU()]
    in_c = widths[0]
    for stage, width in enumerate(widths):
        for block in range(blocks_per_stage):
            stride = 2 if stage > 0 and block == 0 else 1
            layers += [_basic_block(in_c, width, stride), nn.ReLU()]
            in_c = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    if o.dropout is not None and o.dropout > 0:
        layers.append(nn.Dropout(o.dropout))
    layers.append(nn.Linear(in_c, o.classes))
    return nn.Sequential(*layers)


def resnet(o: ModelOptions) -> nn.Sequential:
    return _resnet(o, (32, 64, 128), 2)


def resnet_small(o: ModelOptions) -> nn.Sequential:
    return _resnet(o, (16, 32, 64), 1)


def _conv_bn_relu(in_c: int, out_c: int) -> list:
    return [_res_conv(in_c, out_c, 3, 1), nn.BatchNorm2d(out_c), nn.ReLU()]


def _residual_pair(c: int) -> Residual:
    return Residual(nn.Sequential(*_conv_bn_relu(c, c), *_conv_bn_relu(c, c)))


def resnet9(o: ModelOptions) -> nn.Sequential:
    """ResNets.ResNet9: DAWNBench's ResNet-9 at half width."""
    layers: list = _conv_bn_relu(o.channels, 32)
    layers += [*_conv_bn_relu(32, 64), nn.MaxPool2d(2), _residual_pair(64)]
    layers += [*_conv_bn_relu(64, 128), nn.MaxPool2d(2)]
    layers += [*_conv_bn_relu(128, 256), nn.MaxPool2d(2), _residual_pair(256)]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    if o.dropout is not None and o.dropout > 0:
        layers.append(nn.Dropout(o.dropout))
    layers.append(nn.Linear(256, o.classes))
    return nn.Sequential(*layers)


# ---- registry (ModelZoo.cs names) ----------------------------------------------------------------

MODELS: dict[str, Callable[[ModelOptions], nn.Sequential]] = {
    "mlp": mlp,
    "mlp-bn": mlp_bn,
    "mlp4": mlp4,
    "mlp-custom": mlp_custom,
    "dense32": dense32,
    "mlp-dropout": mlp_dropout,
    "mlp-deep": mlp_deep,
    "cnn": cnn,
    "cnn-wide": cnn_wide,
    "cnn-a": cnn_a,
    "cnn-b": cnn_b,
    "cnn-c": cnn_c,
    "cnn-simple": cnn_simple,
    "cnn-dropout": cnn_dropout,
    "cnn-deep-bn": cnn_deep_bn,
    "cnn-basic": cnn_basic,
    "cnn-better": cnn_better,
    "vgg11": vgg11,
    "vgg16": vgg16,
    "resnet": resnet,
    "resnet-small": resnet_small,
    "resnet9": resnet9,
}


def build(name: str, options: Optional[ModelOptions] = None) -> nn.Sequential:
    """The named zoo model with PyTorch's default initialisation (names are case-insensitive, as ModelZoo.Get)."""
    factory = MODELS.get(name.lower())
    if factory is None:
        raise ValueError(f"Unknown model '{name}'. Known models: {', '.join(MODELS)}.")
    return factory(options or ModelOptions())


def state_shapes(name: str, options: Optional[ModelOptions] = None) -> dict[str, list[int]]:
    """state_dict name → shape: what Atelier's StateDict() must list, in the same order, for the same model."""
    return {k: list(v.shape) for k, v in build(name, options).state_dict().items()}


if __name__ == "__main__":
    # /usr/bin/python3 bench/pytorch/models.py [name ...]: state_dict names and shapes, to check against Atelier's.
    import sys

    for n in sys.argv[1:] or list(MODELS):
        print(n)
        for key, shape in state_shapes(n).items():
            print(f"  {key} {shape}")
