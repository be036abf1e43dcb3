"""Classic networks as layer lists, with the parameter totals published for them.

* ``lenet5`` — LeNet-5 in its common modern form (LeCun et al. 1998 layout with ReLU and 2×2
  max-pooling, C3 fully connected to S2, 32×32×1 input): 61,706 parameters.
* ``alexnet`` — torchvision's ``alexnet()`` (the single-GPU variant with 64/192/384/256/256
  filters and an adaptive 6×6 average pool), 3×224×224 input: 61,100,840 parameters.
* ``vgg16`` — torchvision's ``vgg16()`` (configuration D, no batch norm): 138,357,544 parameters.
* ``small_cnn`` — a small CNN for 28×28 digit images (MNIST-sized), counted by hand:
  conv 1→16 3×3 (160) + BN (32) + conv 16→32 3×3 (4,640) + BN (64) + linear 1,568→10 (15,690)
  = 20,586 parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Preset:
    """A named network: input shape, layers and the published parameter total."""

    key: str
    title: str
    input_shape: tuple[int, int, int]
    layers: tuple[dict[str, Any], ...]
    published_params: int
    source: str


def _conv(out: int, k: int, *, stride: int = 1, padding: int = 0, name: str = "") -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "conv2d", "out_channels": out, "kernel_size": k}
    if stride != 1:
        spec["stride"] = stride
    if padding:
        spec["padding"] = padding
    if name:
        spec["name"] = name
    return spec


def _relu() -> dict[str, Any]:
    return {"type": "activation", "function": "relu"}


def _maxpool(k: int, stride: int | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "maxpool2d", "kernel_size": k}
    if stride is not None:
        spec["stride"] = stride
    return spec


def _linear(out: int) -> dict[str, Any]:
    return {"type": "linear", "out_features": out}


_LENET5 = (
    _conv(6, 5, name="C1"),
    _relu(),
    _maxpool(2),
    _conv(16, 5, name="C3"),
    _relu(),
    _maxpool(2),
    {"type": "flatten"},
    {**_linear(120), "name": "F5"},
    _relu(),
    {**_linear(84), "name": "F6"},
    _relu(),
    {**_linear(10), "name": "output"},
)

_ALEXNET = (
    _conv(64, 11, stride=4, padding=2),
    _relu(),
    _maxpool(3, 2),
    _conv(192, 5, padding=2),
    _relu(),
    _maxpool(3, 2),
    _conv(384, 3, padding=1),
    _relu(),
    _conv(256, 3, padding=1),
    _relu(),
    _conv(256, 3, padding=1),
    _relu(),
    _maxpool(3, 2),
    {"type": "adaptive_avgpool2d", "output_size": 6},
    {"type": "flatten"},
    {"type": "dropout", "p": 0.5},
    _linear(4096),
    _relu(),
    {"type": "dropout", "p": 0.5},
    _linear(4096),
    _relu(),
    _linear(1000),
)


def _vgg16() -> tuple[dict[str, Any], ...]:
    layers: list[dict[str, Any]] = []
    for item in (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M") + (
        512,
        512,
        512,
        "M",
    ):
        if item == "M":
            layers.append(_maxpool(2, 2))
        else:
            layers += [_conv(int(item), 3, padding=1), _relu()]
    layers += [
        {"type": "adaptive_avgpool2d", "output_size": 7},
        {"type": "flatten"},
        _linear(4096),
        _relu(),
        {"type": "dropout", "p": 0.5},
        _linear(4096),
        _relu(),
        {"type": "dropout", "p": 0.5},
        _linear(1000),
    ]
    return tuple(layers)


_SMALL_CNN = (
    _conv(16, 3, padding=1),
    {"type": "batchnorm2d"},
    _relu(),
    _maxpool(2),
    _conv(32, 3, padding=1),
    {"type": "batchnorm2d"},
    _relu(),
    _maxpool(2),
    {"type": "flatten"},
    {"type": "dropout", "p": 0.25},
    _linear(10),
)

PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "lenet5",
            "LeNet-5 (ReLU, max-pool, 32×32×1)",
            (1, 32, 32),
            _LENET5,
            61_706,
            "LeCun et al. 1998 layout, full C3 connections, max-pooling instead of subsampling",
        ),
        Preset(
            "alexnet",
            "AlexNet (torchvision, 3×224×224)",
            (3, 224, 224),
            _ALEXNET,
            61_100_840,
            "torchvision.models.alexnet: 61,100,840 parameters",
        ),
        Preset(
            "vgg16",
            "VGG-16 (torchvision, 3×224×224)",
            (3, 224, 224),
            _vgg16(),
            138_357_544,
            "torchvision.models.vgg16: 138,357,544 parameters",
        ),
        Preset(
            "small_cnn",
            "Small CNN for 28×28 digits",
            (1, 28, 28),
            _SMALL_CNN,
            20_586,
            "hand count: 160 + 32 + 4,640 + 64 + 15,690",
        ),
    )
}


def get_preset(key: str) -> Preset:
    """The preset called ``key``; raises ``ValueError`` naming it if there is none."""
    try:
        return PRESETS[key]
    except KeyError:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {key!r}") from None
