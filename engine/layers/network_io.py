"""Networks in and out: JSON documents, CSV/Markdown summaries and equivalent PyTorch code.

A saved network is ``{"format": "kernelscope-network", "version": 1, "name": …,
"input_shape": [C, H, W], "layers": [layer spec, …]}``.  Loading checks every layer spec and
says which one is wrong; a network whose *shapes* do not fit still loads (the table shows where).
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from engine.checks import is_int
from engine.layers.kinds import LAYER_KINDS, format_layer_params, normalize_layer
from engine.layers.limits import MAX_NETWORK_LAYERS, check_network_limits
from engine.layers.summary import (
    LayerRow,
    NetworkSummary,
    check_input_shape,
)
from engine.storage import parse_json, read_user_text

FORMAT = "kernelscope-network"
VERSION = 1

#: Largest network file read (characters / bytes).
MAX_NETWORK_CHARS = 5_000_000


@dataclass(frozen=True)
class NetworkDocument:
    """A network as saved: a name, the input shape and normalised layer specs."""

    name: str
    input_shape: tuple[int, ...]
    layers: tuple[dict[str, Any], ...]


def format_shape(shape: tuple[int, ...]) -> str:
    """``(16, 28, 28)`` → ``"16×28×28"``."""
    return "×".join(str(v) for v in shape)


def format_jump(jump: tuple[int | Fraction, int | Fraction]) -> str:
    """``(4, 4)`` → ``"4"``, ``(2, 1)`` → ``"2×1"``, fractions as ``"1/2"``."""
    a, b = (str(v) for v in jump)
    return a if a == b else f"{a}×{b}"


def format_rf(rf: tuple[int, int]) -> str:
    """``(11, 11)`` → ``"11×11"``."""
    return f"{rf[0]}×{rf[1]}"


def format_bytes(n: int) -> str:
    """Human-readable size with binary prefixes: ``3136`` → ``"3.1 KiB"``."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError  # pragma: no cover


def network_to_json(
    layers: list[dict[str, Any]], input_shape: tuple[int, ...], name: str = ""
) -> str:
    """Serialise a network (layers are normalised first) as indented JSON text.

    Raises
    ------
    ValueError
        For an invalid layer spec (naming it) or input shape.
    """
    shape = check_input_shape(input_shape)
    clean = [normalize_layer(spec, f"layer {i + 1}") for i, spec in enumerate(layers)]
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "name": name,
        "input_shape": list(shape),
        "layers": clean,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def network_from_json(text: str) -> NetworkDocument:
    """Read a network saved by :func:`network_to_json` (a bare list of layers is accepted too,
    with input ``1×28×28``).

    Raises
    ------
    ValueError
        With a message a user can act on: not JSON (line and column), wrong structure, or the
        first invalid layer.
    """
    if len(text) > MAX_NETWORK_CHARS:
        raise ValueError(
            f"the network text is {len(text):,} characters long; at most {MAX_NETWORK_CHARS:,} "
            "are read"
        )
    data = parse_json(text)  # a BOM is fine; bad JSON or a 5,000-digit number: a ValueError
    if isinstance(data, list):
        data = {"layers": data, "input_shape": [1, 28, 28]}
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object with 'layers', got {type(data).__name__}")
    if data.get("format", FORMAT) != FORMAT:
        raise ValueError(f"not a KernelScope network file (format {data.get('format')!r})")
    version = data.get("version", VERSION)
    if not is_int(version) or version < 1:
        raise ValueError(
            f"'version' must be a positive whole number such as {VERSION}, got {version!r} "
            f"({type(version).__name__})"
        )
    if version > VERSION:
        raise ValueError(
            f"network file version {version} is newer than this KernelScope reads ({VERSION})"
        )
    layers = data.get("layers")
    if not isinstance(layers, list):
        raise ValueError("the file has no 'layers' list")
    if len(layers) > MAX_NETWORK_LAYERS:  # before normalising each of them
        raise ValueError(
            f"the network has {len(layers):,} layers; at most {MAX_NETWORK_LAYERS:,} are allowed"
        )
    if "input_shape" not in data:
        raise ValueError("the file has no 'input_shape' (C, H, W)")
    shape = check_input_shape(data["input_shape"])
    name = data.get("name", "")
    clean = tuple(normalize_layer(spec, f"layer {i + 1}") for i, spec in enumerate(layers))
    check_network_limits(clean, shape)
    return NetworkDocument(name if isinstance(name, str) else "", shape, clean)


def read_network_file(path: str | os.PathLike[str]) -> NetworkDocument:
    """Read a network JSON file: only a regular file, at most :data:`MAX_NETWORK_CHARS`, UTF-8
    with or without a byte-order mark; then :func:`network_from_json`.

    Raises
    ------
    ValueError
        A :class:`engine.storage.UserFileError` for a file that is missing, a FIFO or
        another non-regular file, a symbolic link loop, a too long name or too large; else
        the messages of :func:`network_from_json`.
    """
    text = read_user_text(path, what="network file", max_bytes=MAX_NETWORK_CHARS)
    return network_from_json(text)


_COLUMNS = (
    "#",
    "name",
    "type",
    "parameters",
    "output shape",
    "params",
    "MACs",
    "activations",
    "activation bytes",
    "receptive field",
    "jump",
)


def _table(summary: NetworkSummary) -> list[list[str]]:
    rows = [
        ["0", "input", "input", "", format_shape(summary.input_shape), "0", "0", "", "", "1×1", "1"]
    ]
    for r in summary.rows:
        rows.append(
            [
                str(r.index + 1),
                r.name,
                LAYER_KINDS[r.type].label,
                format_layer_params(r.spec),
                format_shape(r.output_shape),
                str(r.params),
                str(r.macs),
                str(r.activations),
                str(r.activation_bytes),
                format_rf(r.receptive_field),
                format_jump(r.jump),
            ]
        )
    return rows


def summary_to_csv(summary: NetworkSummary) -> str:
    """The summary as CSV: a header, the input, one row per layer, a ``total`` row; a last
    ``error`` row when a layer is invalid."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_COLUMNS)
    writer.writerows(_table(summary))
    writer.writerow(
        [
            "",
            "total",
            "",
            "",
            format_shape(summary.output_shape),
            summary.total_params,
            summary.total_macs,
            summary.total_activations,
            summary.total_activation_bytes,
            "",
            "",
        ]
    )
    if summary.error is not None:
        writer.writerow(["", "error", "", summary.error.message] + [""] * 7)
    return buffer.getvalue()


def summary_to_markdown(summary: NetworkSummary, title: str = "") -> str:
    """The summary as a GitHub-flavoured Markdown table with thousands separators and totals."""
    lines = [f"## {title}", ""] if title else []
    lines.append(
        "| " + " | ".join(_COLUMNS[:5] + ("params", "MACs", "memory", "RF", "jump")) + " |"
    )
    lines.append("|" + "---|" * 4 + "---|" + "---:|" * 3 + "---|---|")
    for row in _table(summary):
        cells = row[:5] + [
            f"{int(row[5]):,}",
            f"{int(row[6]):,}",
            format_bytes(int(row[8])) if row[8] else "",
            row[9],
            row[10],
        ]
        cells = [c.replace("|", "\\|") for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(
        f"| | **total** | | | {format_shape(summary.output_shape)} | "
        f"**{summary.total_params:,}** | **{summary.total_macs:,}** | "
        f"{format_bytes(summary.total_activation_bytes)} | | |"
    )
    if summary.error is not None:
        lines += ["", f"**Invalid:** {summary.error.message}"]
    return "\n".join(lines) + "\n"


def _weight_shapes(row: LayerRow) -> dict[str, tuple[int, ...]]:
    """The parameter arrays of a layer a ``.npz`` export holds: ``{"weight": shape, …}``."""
    kind = LAYER_KINDS[row.spec["type"]]
    if kind.weight_shapes is not None:
        return kind.weight_shapes(row.spec, row.input_shape)
    if row.params:
        raise ValueError(
            f"cannot write PyTorch code that loads trained weights: layer {row.index + 1} "
            f"({row.name}) is a {kind.label}, which KernelScope does not train"
        )
    return {}


def _state_dict_lines(summary: NetworkSummary, ident: str, npz_path: str) -> list[str]:
    """``load_state_dict`` from a KernelScope ``.npz``: the arrays are named ``conv1.weight``…,
    PyTorch's ``nn.Sequential`` names them by index (``0.weight``)."""
    lines = [
        "# The trained weights, from the .npz that KernelScope's Train tab exported (no pickle,",
        "# no .pt file). KernelScope keeps PyTorch's layouts — Conv2d (out, in, kh, kw), Linear",
        "# (out, in) — and flattens C, H, W as nn.Flatten does: the arrays load as they are.",
        f"weights = np.load({npz_path!r})",
        "state_dict = {",
    ]
    for row in summary.rows:
        for key, shape in _weight_shapes(row).items():
            source = f"{row.name}.{key}"
            lines.append(
                f"    {f'{row.index}.{key}'!r}: torch.from_numpy(weights[{source!r}]),"
                f"  # {format_shape(shape)}"
            )
    lines += [
        "}",
        f"{ident}.load_state_dict(state_dict)",
        f"{ident}.eval()  # dropout off, as KernelScope predicts",
        "",
    ]
    return lines


def pytorch_code(summary: NetworkSummary, name: str = "model", *, npz_path: str = "") -> str:
    """Python source building the same network as ``torch.nn.Sequential``, with each layer's
    output shape and parameters in a comment and a check of the total.

    Parameters
    ----------
    summary
        The network (:func:`engine.summarize`).
    name
        The variable the code assigns (made a Python identifier).
    npz_path
        If given, the code also loads the trained weights from this ``.npz`` (as written by
        :func:`engine.train.save_model`) with ``load_state_dict``: tensors named by their
        ``nn.Sequential`` index, no ``.pt`` file and no pickle.

    Raises
    ------
    ValueError
        When the summary has an invalid layer (the code would not run), or with ``npz_path``
        a layer with parameters that KernelScope does not train (batch norm, transposed
        convolution).
    """
    if summary.error is not None:
        raise ValueError(f"cannot write PyTorch code: {summary.error.message}")
    ident = "".join(ch if ch.isalnum() else "_" for ch in name.strip()) or "model"
    if ident[0].isdigit():
        ident = "model_" + ident
    header = ["import numpy as np", "import torch"] if npz_path else ["import torch"]
    lines = [*header, "from torch import nn", "", f"{ident} = nn.Sequential("]
    for row in summary.rows:
        code = LAYER_KINDS[row.spec["type"]].pytorch(row.spec, row.input_shape)
        lines.append(
            f"    {code},  # {row.name}: → {format_shape(row.output_shape)}, {row.params:,} params"
        )
    shape = ", ".join(str(v) for v in summary.input_shape)
    lines += [")", ""]
    if npz_path:
        lines += _state_dict_lines(summary, ident, npz_path)
    lines += [
        f"x = torch.randn(1, {shape})",
        f"assert tuple({ident}(x).shape[1:]) == {tuple(summary.output_shape)!r}",
        f"assert sum(p.numel() for p in {ident}.parameters()) == {summary.total_params}",
        "",
    ]
    return "\n".join(lines)
