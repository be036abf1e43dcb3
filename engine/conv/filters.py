"""Named classic image kernels with their family, orientation and an accurate description.

Kernels are stored as they are applied by **cross-correlation** (``cv2.filter2D``, deep-learning
"convolution"): ``sobel_x`` gives positive values where intensity increases to the right.
Arrays are read-only; integer kernels keep an integer dtype (with their normalising ``scale``
applied separately) so exercise-sheet results stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class NamedKernel:
    """A library kernel.

    Attributes
    ----------
    key : str
        Stable identifier, e.g. ``"sobel_x"``.
    name : str
        Display name, e.g. ``"Sobel x"``.
    family : str
        ``"smoothing"``, ``"sharpening"``, ``"first derivative"``, ``"second derivative"``,
        ``"compass"``, ``"identity"`` or ``"emboss"``.
    orientation : str
        Which edges it responds to, e.g. ``"vertical edges"``, ``"isotropic"``.
    description : str
        One or two sentences a student can trust.
    weights : numpy.ndarray
        Integer (or exact) weights, read-only.
    scale : fractions.Fraction
        Normalising factor; the kernel applied is ``scale * weights``.
    """

    key: str
    name: str
    family: str
    orientation: str
    description: str
    weights: np.ndarray = field(repr=False)
    scale: Fraction = Fraction(1)

    @property
    def kernel(self) -> np.ndarray:
        """The kernel to apply: ``weights`` when ``scale`` is 1 (dtype kept), else float64."""
        if self.scale == 1:
            return self.weights
        out = self.weights * float(self.scale)
        out.setflags(write=False)
        return out

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the kernel."""
        return (int(self.weights.shape[0]), int(self.weights.shape[1]))


def _frozen(rows: list[list[int]]) -> np.ndarray:
    arr = np.array(rows, dtype=np.int64)
    arr.setflags(write=False)
    return arr


def _binomial(n: int) -> list[int]:
    row = [1]
    for _ in range(n - 1):
        row = [a + b for a, b in zip([0] + row, row + [0], strict=True)]
    return row


def _outer(col: list[int], row: list[int]) -> list[list[int]]:
    return [[c * r for r in row] for c in col]


def _kirsch(direction: int) -> list[list[int]]:
    """Kirsch compass kernel; direction 0 = N, then clockwise in 45° steps."""
    ring = [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)]
    k = [[-3, -3, -3], [-3, 0, -3], [-3, -3, -3]]
    for step in range(3):
        r, c = ring[(direction + step) % 8]
        k[r][c] = 5
    return k


_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
_COMPASS_EDGE = {
    "N": "horizontal edges, brighter above",
    "NE": "diagonal edges, brighter to the upper right",
    "E": "vertical edges, brighter to the right",
    "SE": "diagonal edges, brighter to the lower right",
    "S": "horizontal edges, brighter below",
    "SW": "diagonal edges, brighter to the lower left",
    "W": "vertical edges, brighter to the left",
    "NW": "diagonal edges, brighter to the upper left",
}


def _build_library() -> dict[str, NamedKernel]:
    smooth = "smoothing"
    d1 = "first derivative"
    d2 = "second derivative"
    items: list[NamedKernel] = [
        NamedKernel(
            "identity",
            "Identity",
            "identity",
            "none",
            "Copies the input unchanged: a single 1 at the centre.",
            _frozen([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
        ),
        NamedKernel(
            "box3",
            "Box blur 3×3",
            smooth,
            "isotropic",
            "Mean of the 3×3 neighbourhood: blurs and removes fine noise, with a blocky response.",
            _frozen([[1] * 3] * 3),
            Fraction(1, 9),
        ),
        NamedKernel(
            "box5",
            "Box blur 5×5",
            smooth,
            "isotropic",
            "Mean of the 5×5 neighbourhood: stronger blur than 3×3.",
            _frozen([[1] * 5] * 5),
            Fraction(1, 25),
        ),
    ]
    for size, denom in ((3, 16), (5, 256), (7, 4096)):
        b = _binomial(size)
        items.append(
            NamedKernel(
                f"gaussian{size}",
                f"Gaussian {size}×{size}",
                smooth,
                "isotropic",
                f"Binomial approximation of a Gaussian ({'·'.join(map(str, b))} outer product, "
                f"÷{denom}): smooth blur that weights near pixels more, separable.",
                _frozen(_outer(b, b)),
                Fraction(1, denom),
            )
        )
    items += [
        NamedKernel(
            "sharpen",
            "Sharpen",
            "sharpening",
            "isotropic",
            "Identity plus a negative 4-neighbour Laplacian: boosts edges and fine detail "
            "(and noise); the weights sum to 1 so flat areas keep their value.",
            _frozen([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        ),
        NamedKernel(
            "emboss",
            "Emboss",
            "emboss",
            "diagonal",
            "Lower-right neighbours minus upper-left neighbours, plus the pixel itself: a relief "
            "(embossed) look that highlights diagonal intensity changes.",
            _frozen([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
        ),
        NamedKernel(
            "prewitt_x",
            "Prewitt x",
            d1,
            "vertical edges",
            "Horizontal derivative ∂/∂x averaged over 3 rows: responds to vertical edges, "
            "positive where the image gets brighter to the right.",
            _frozen([[-1, 0, 1]] * 3),
        ),
        NamedKernel(
            "prewitt_y",
            "Prewitt y",
            d1,
            "horizontal edges",
            "Vertical derivative ∂/∂y averaged over 3 columns: responds to horizontal edges, "
            "positive where the image gets brighter downwards.",
            _frozen([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
        ),
        NamedKernel(
            "sobel_x",
            "Sobel x",
            d1,
            "vertical edges",
            "Horizontal derivative ∂/∂x with 1·2·1 smoothing across rows: responds to vertical "
            "edges, positive where the image gets brighter to the right.",
            _frozen(_outer([1, 2, 1], [-1, 0, 1])),
        ),
        NamedKernel(
            "sobel_y",
            "Sobel y",
            d1,
            "horizontal edges",
            "Vertical derivative ∂/∂y with 1·2·1 smoothing across columns: responds to "
            "horizontal edges, positive where the image gets brighter downwards.",
            _frozen(_outer([-1, 0, 1], [1, 2, 1])),
        ),
        NamedKernel(
            "sobel5_x",
            "Sobel x 5×5",
            d1,
            "vertical edges",
            "5×5 Sobel ∂/∂x (as cv2.Sobel with ksize=5): smoother, less noise-sensitive "
            "derivative that responds to vertical edges.",
            _frozen(_outer([1, 4, 6, 4, 1], [-1, -2, 0, 2, 1])),
        ),
        NamedKernel(
            "sobel5_y",
            "Sobel y 5×5",
            d1,
            "horizontal edges",
            "5×5 Sobel ∂/∂y (as cv2.Sobel with ksize=5): smoother derivative that responds to "
            "horizontal edges.",
            _frozen(_outer([-1, -2, 0, 2, 1], [1, 4, 6, 4, 1])),
        ),
        NamedKernel(
            "scharr_x",
            "Scharr x",
            d1,
            "vertical edges",
            "∂/∂x with 3·10·3 smoothing: better rotational symmetry than Sobel; responds to "
            "vertical edges.",
            _frozen(_outer([3, 10, 3], [-1, 0, 1])),
        ),
        NamedKernel(
            "scharr_y",
            "Scharr y",
            d1,
            "horizontal edges",
            "∂/∂y with 3·10·3 smoothing: better rotational symmetry than Sobel; responds to "
            "horizontal edges.",
            _frozen(_outer([-1, 0, 1], [3, 10, 3])),
        ),
        NamedKernel(
            "roberts_x",
            "Roberts cross 1",
            d1,
            "diagonal edges (lower left to upper right)",
            "2×2 difference along the main diagonal (pixel minus its lower-right neighbour): the "
            "smallest gradient operator; responds to edges running from lower left to upper "
            "right and is very noise-sensitive.",
            _frozen([[1, 0], [0, -1]]),
        ),
        NamedKernel(
            "roberts_y",
            "Roberts cross 2",
            d1,
            "diagonal edges (upper left to lower right)",
            "2×2 difference along the anti-diagonal (right neighbour minus lower neighbour): "
            "responds to edges running from upper left to lower right; very noise-sensitive.",
            _frozen([[0, 1], [-1, 0]]),
        ),
        NamedKernel(
            "laplacian4",
            "Laplacian (4-neighbour)",
            d2,
            "isotropic",
            "Discrete second derivative ∂²/∂x² + ∂²/∂y²: zero on flat areas and linear ramps, "
            "responds to edges in every direction (zero crossing on the edge); very sensitive "
            "to noise.",
            _frozen([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
        ),
        NamedKernel(
            "laplacian8",
            "Laplacian (8-neighbour)",
            d2,
            "isotropic",
            "Second derivative including the diagonals: more isotropic than the 4-neighbour "
            "version, equally noise-sensitive.",
            _frozen([[1, 1, 1], [1, -8, 1], [1, 1, 1]]),
        ),
        NamedKernel(
            "log5",
            "Laplacian of Gaussian 5×5",
            d2,
            "isotropic",
            "Gaussian smoothing followed by the Laplacian (Marr–Hildreth), in one kernel: "
            "blob and edge detector whose zero crossings mark edges, far less noise-sensitive "
            "than the plain Laplacian. Shown negated (positive centre); the weights sum to 0.",
            _frozen(
                [
                    [0, 0, -1, 0, 0],
                    [0, -1, -2, -1, 0],
                    [-1, -2, 16, -2, -1],
                    [0, -1, -2, -1, 0],
                    [0, 0, -1, 0, 0],
                ]
            ),
        ),
    ]
    for idx, direction in enumerate(_COMPASS):
        items.append(
            NamedKernel(
                f"kirsch_{direction.lower()}",
                f"Kirsch {direction}",
                "compass",
                _COMPASS_EDGE[direction],
                f"Kirsch compass kernel pointing {direction}: responds most to "
                f"{_COMPASS_EDGE[direction]}; the maximum over all 8 gives edge strength and "
                "direction.",
                _frozen(_kirsch(idx)),
            )
        )
    return {k.key: k for k in items}


FILTER_LIBRARY: dict[str, NamedKernel] = _build_library()


def get_filter(key: str) -> NamedKernel:
    """Return the library kernel called ``key``.

    Raises
    ------
    ValueError
        If there is no such kernel (the message lists the valid keys).
    """
    try:
        return FILTER_LIBRARY[key]
    except KeyError:
        raise ValueError(
            f"key {key!r} is not a library filter; choose one of {', '.join(FILTER_LIBRARY)}"
        ) from None


def filter_keys(family: str | None = None) -> list[str]:
    """Keys of all library kernels, or only those of one ``family``, in library order."""
    return [k for k, v in FILTER_LIBRARY.items() if family is None or v.family == family]
