"""1-D regression data for the ridge demo: seeded synthetic data and ``x,y`` CSV files."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.checks import check_int
from engine.storage import UserFileError, read_user_text


@dataclass(frozen=True)
class TrueFunction:
    """A named ground-truth curve on [−1, 1]."""

    key: str
    label: str
    formula: str
    func: Callable[[np.ndarray], np.ndarray]


TRUE_FUNCTIONS: dict[str, TrueFunction] = {
    f.key: f
    for f in (
        TrueFunction("sine", "Sine", "sin(πx)", lambda x: np.sin(np.pi * x)),
        TrueFunction("sine2", "Sine, one period", "sin(2πx)", lambda x: np.sin(2 * np.pi * x)),
        TrueFunction("cubic", "Cubic", "x³ − x/2", lambda x: x**3 - 0.5 * x),
        TrueFunction("runge", "Runge", "1/(1 + 25x²)", lambda x: 1.0 / (1.0 + 25.0 * x * x)),
        TrueFunction("line", "Line", "0.8x + 0.3", lambda x: 0.8 * x + 0.3),
    )
}


def true_function(key: str) -> TrueFunction:
    """The :class:`TrueFunction` called ``key`` (see :data:`TRUE_FUNCTIONS`)."""
    try:
        return TRUE_FUNCTIONS[key]
    except (KeyError, TypeError):
        raise ValueError(f"function must be one of {sorted(TRUE_FUNCTIONS)}, got {key!r}") from None


@dataclass(frozen=True)
class RegressionData:
    """Training and validation points (each sorted by x)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    source: str


def generate_data(
    n_train: int, n_val: int, noise: float, function: str, *, seed: int = 0
) -> RegressionData:
    """``y = f(x) + noise·ε`` with x uniform on [−1, 1] and ε standard normal, reproducibly.

    Parameters
    ----------
    n_train, n_val
        Number of training (≥ 1) and validation (≥ 1) points, drawn independently.
    noise
        Standard deviation of the noise (≥ 0).
    function
        Key of :data:`TRUE_FUNCTIONS`.
    seed
        Same seed, same data.
    """
    nt = check_int(n_train, "n_train", minimum=1)
    nv = check_int(n_val, "n_val", minimum=1)
    sigma = float(noise)
    if not math.isfinite(sigma) or sigma < 0:
        raise ValueError(f"noise must be finite and ≥ 0, got {noise!r}")
    f = true_function(function)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    x_train = np.sort(rng.uniform(-1, 1, nt))
    x_val = np.sort(rng.uniform(-1, 1, nv))
    y_train = f.func(x_train) + sigma * rng.standard_normal(nt)
    y_val = f.func(x_val) + sigma * rng.standard_normal(nv)
    return RegressionData(
        x_train, y_train, x_val, y_val, f"{f.formula} + {sigma:g}·noise, seed {seed}"
    )


def split_train_validation(
    x: object, y: object, validation_fraction: float = 0.3, *, seed: int = 0, source: str = ""
) -> RegressionData:
    """Randomly (seeded) hold out ``validation_fraction`` of the points for validation.

    Both parts keep at least one point; ``x`` and ``y`` must have the same length ≥ 2.
    """
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.ndim != 1 or xa.shape != ya.shape or xa.size < 2:
        raise ValueError(f"x and y must be 1-D of equal length ≥ 2, got {xa.shape}, {ya.shape}")
    frac = float(validation_fraction)
    if not 0 < frac < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
    n_val = min(xa.size - 1, max(1, round(frac * xa.size)))
    order = np.random.default_rng(check_int(seed, "seed", minimum=0)).permutation(xa.size)
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    t_order = np.argsort(xa[train], kind="stable")
    v_order = np.argsort(xa[val], kind="stable")
    return RegressionData(
        xa[train][t_order], ya[train][t_order], xa[val][v_order], ya[val][v_order], source
    )


class CsvFormatError(ValueError):
    """A CSV problem at a known place: ``line`` (1-based) and ``column`` (1-based, or None)."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.line = line
        self.column = column


_DELIMITERS = re.compile(r"\s*[,;\t]\s*|\s+")
# Each digit can be matched one way only: ``[0-9]+\.?[0-9]*`` backtracked quadratically on a
# long run of digits followed by a letter.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
MAX_CSV_BYTES = 20_000_000
MAX_CSV_VALUE = 1e150


def load_xy_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read two numeric columns ``x, y`` from a text file.

    Fields may be separated by commas, semicolons, tabs or spaces. Blank lines and lines starting
    with ``#`` are skipped; a first line that is not numeric is taken as a header. If there are
    more than two columns and the header names ``x`` and ``y``, those are used, else the first two.

    Raises
    ------
    CsvFormatError
        (a ``ValueError``) naming the line and column of the first bad field, a row with too few
        fields, fewer than 2 data rows, or a file that cannot be read / is not UTF-8 text.
    """
    p = Path(path)
    try:  # refuses FIFOs and devices before opening them: reading one would hang
        text = read_user_text(p, what="CSV file", max_bytes=MAX_CSV_BYTES)
    except UserFileError as exc:
        raise CsvFormatError(str(exc)) from None
    columns = (0, 1)
    xs: list[float] = []
    ys: list[float] = []
    seen_data = False
    header_done = False
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f for f in _DELIMITERS.split(line.replace("\u2212", "-")) if f != ""]
        if not header_done:
            header_done = True
            if not all(_NUMBER.fullmatch(f) for f in fields[:2]):
                names = [f.strip("\"' ").lower() for f in fields]
                if "x" in names and "y" in names:
                    columns = (names.index("x"), names.index("y"))
                continue
        needed = max(columns) + 1
        if len(fields) < needed:
            raise CsvFormatError(
                f"expected at least {needed} fields (x and y), found {len(fields)}: {line!r}",
                line=line_no,
            )
        row = []
        for col in columns:
            field = fields[col]
            if not _NUMBER.fullmatch(field):
                raise CsvFormatError(f"{field!r} is not a number", line=line_no, column=col + 1)
            value = float(field)
            if not math.isfinite(value) or abs(value) > MAX_CSV_VALUE:
                raise CsvFormatError(
                    f"{field!r} is too large (|value| must be ≤ {MAX_CSV_VALUE:g}, so that squared "
                    "errors stay finite)",
                    line=line_no,
                    column=col + 1,
                )
            row.append(value)
        xs.append(row[0])
        ys.append(row[1])
        seen_data = True
    if not seen_data or len(xs) < 2:
        raise CsvFormatError(f"{p.name} has {len(xs)} data row(s); at least 2 are needed")
    return np.asarray(xs), np.asarray(ys)
