"""Direct, matmul and separable correlation of the numpy backend (see ``fast_correlate``).

``direct``: every tap is one in-place multiply-accumulate pass over a cache-sized band of rows,
and with stride 1 every window is a contiguous 1-D slice of the band (numpy's loops run about
twice as fast on those as on 2-D strided views).  Integers accumulate in int64, so results are
exact.  ``matmul``: the taps of an output row as one BLAS matrix-vector product (floats).
``separable``: a vertical and a horizontal 1-D pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.conv._numpy.taps import (
    STACK_BYTES,
    Groups,
    Scratch,
    accumulate,
    cols_needed,
    rows_view,
    stacked_band_rows,
)

if TYPE_CHECKING:
    from engine.conv.geometry import ConvGeometry

BAND_BYTES = 384 * 1024  # working set per band (band buffer, output band, temporary)


class BandRunner:
    """Direct, matmul and separable correlation of one input, band by band.

    Two layouts, both with every window a *contiguous 1-D slice* when the stride is 1 (numpy's
    loops run about twice as fast on those as on 2-D strided views, and BLAS needs them):

    * full rows (output width == input width, e.g. ``"same"``): windows are flat slices of the
      input rows themselves (no copy when the input already has the working dtype).  A slice
      that starts ``c`` columns early wraps into the previous row, so the few output columns
      next to the left/right border are wrong and are recomputed afterwards from a small
      zero-padded block.
    * padded blocks (everything else, and any stride): a zero-padded copy of the band; with
      stride 1 the result goes to a "wide" buffer with the block's row pitch and the valid
      columns are copied out, otherwise windows are 2-D strided views.
    """

    def __init__(
        self, x: np.ndarray, out: np.ndarray, geo: ConvGeometry, work: np.dtype, band_bytes: int
    ):
        self.x, self.out, self.geo, self.work = x, out, geo, work
        self.h, self.w = x.shape[:2]
        self.chan = x.shape[2:]
        self.nch = int(np.prod(self.chan))
        self.top, self.left = geo.pad[0], geo.pad[2]
        self.sy, self.sx = geo.stride
        self.dy, self.dx = geo.dilation
        self.keh, self.kew = geo.effective_kernel
        self.ow = geo.output_shape[1]
        self.right = self.kew - 1 - self.left  # columns past the input a "same" window reads
        self.scratch = Scratch(work)
        self.x_usable = x.dtype == work and x.flags.c_contiguous
        self.full_rows_ok = self.sy == 1 and self.sx == 1 and self.ow == self.w
        row_bytes = max(self.w, cols_needed(geo)) * self.nch * work.itemsize
        self.band = max(1, band_bytes // (3 * row_bytes))
        self.stack_bytes = STACK_BYTES * band_bytes // BAND_BYTES

    # -- sources ---------------------------------------------------------------------------

    def _rows(self, p0: int, p1: int, before: int, after: int) -> tuple[np.ndarray, int]:
        """Padded rows ``[p0, p1)`` at input width as ``(flat, offset)``.

        Element ``(r, col, ch)`` is ``flat[offset + (r·W + col)·C + ch]`` and at least
        ``before``/``after`` elements around the rows are readable (their values only reach
        the border columns that are recomputed).
        """
        r0, r1 = p0 - self.top, p1 - self.top
        row = self.w * self.nch
        if self.x_usable and 0 <= r0 and r1 <= self.h:
            start, end = r0 * row, r1 * row
            if start >= before and end + after <= self.x.size:
                return self.x.reshape(-1), start
        n = p1 - p0
        buf = self.scratch.get("rows", before + n * row + after)
        buf[:before] = 0
        buf[before + n * row :] = 0
        body = buf[before : before + n * row].reshape((n, self.w) + self.chan)
        self._fill(body, r0, r1, 0, self.w, 0)
        return buf, before

    def _fill(self, dst: np.ndarray, r0: int, r1: int, c0: int, c1: int, left: int) -> None:
        """Copy input rows ``[r0, r1)``, columns ``[c0, c1)`` (clipped) into ``dst``, zeros
        elsewhere; ``dst`` column 0 is input column ``c0 - left``."""
        lo, hi = max(r0, 0), min(r1, self.h)
        clo, chi = max(c0 - left, 0), min(c1 - left, self.w)
        if lo >= hi or clo >= chi:
            dst.fill(0)
            return
        dst[: lo - r0] = 0
        dst[hi - r0 :] = 0
        inner = dst[lo - r0 : hi - r0]
        a, b = clo - (c0 - left), chi - (c0 - left)
        inner[:, :a] = 0
        inner[:, b:] = 0
        np.copyto(inner[:, a:b], self.x[lo:hi, clo:chi], casting="unsafe")

    def _block(self, p0: int, p1: int, q0: int, q1: int) -> np.ndarray:
        """Zero-padded input, padded rows ``[p0, p1)`` and padded columns ``[q0, q1)``."""
        n, m = p1 - p0, q1 - q0
        r0, c0 = p0 - self.top, q0 - self.left
        if self.x_usable and r0 >= 0 and c0 >= 0 and r0 + n <= self.h and c0 + m <= self.w:
            inside = self.x[r0 : r0 + n, c0 : c0 + m]
            if inside.flags.c_contiguous:  # e.g. "valid" padding: no copy at all
                return inside
        buf = self.scratch.get("block", n * m * self.nch).reshape((n, m) + self.chan)
        self._fill(buf, p0 - self.top, p1 - self.top, q0, q1, self.left)
        return buf

    # -- direct ----------------------------------------------------------------------------

    def direct(self, groups: Groups, i0: int, i1: int) -> None:
        if not self.full_rows_ok:
            for b0 in range(i0, i1, self.band):
                self._direct_block(groups, b0, min(b0 + self.band, i1), 0, self.ow)
            return
        nch, row = self.nch, self.w * self.nch
        starts = [  # of each window, relative to the band's first row, column 0
            [(a * self.dy * self.w + b * self.dx - self.left) * nch for a, b in offs]
            for _, offs, _ in groups
        ]
        for b0 in range(i0, i1, self.band):
            b1 = min(b0 + self.band, i1)
            length = (b1 - b0) * row
            flat, off = self._rows(b0, b1 - 1 + self.keh, self.left * nch, self.right * nch)
            windows = [
                (w, [flat[off + s : off + s + length] for s in group_starts], sg)
                for (w, _, sg), group_starts in zip(groups, starts, strict=True)
            ]
            accumulate(self.out[b0:b1].reshape(-1), self.scratch.get("tmp", length), windows)
        for j0, j1 in self._border_columns():
            self._direct_block(groups, i0, i1, j0, j1)

    # -- matmul ----------------------------------------------------------------------------

    def matmul(
        self, k: np.ndarray, groups: Groups, i0: int, i1: int, *, stacked: bool = True
    ) -> None:
        """Direct correlation through BLAS matrix-vector products (floats).

        ``stacked`` (needs row dilation 1): each band's input rows are copied ``kw`` times,
        shifted by one kernel column each, into a buffer laid out as (row, column shift, x).
        In it the ``kh·kw`` windows of an output row are equally spaced, so one BLAS product
        with the flattened kernel computes the row: ``kw`` copy passes plus one product, with
        no accumulation passes at all.  Otherwise one product per kernel column (over the
        ``kh`` rows under it) and an add per column.  Needs a column stride of 1 (otherwise
        :meth:`direct` runs).
        """
        if self.sx != 1:
            self.direct(groups, i0, i1)
            return
        if stacked and self.dy == 1:
            self._stacked(k, groups, i0, i1)
            return
        columns = [np.ascontiguousarray(k[:, b]) for b in range(k.shape[1])]
        used = [b for b in range(k.shape[1]) if np.any(columns[b])]
        if not used:
            self.out[i0:i1] = 0
            return
        nch, kh = self.nch, k.shape[0]
        if self.full_rows_ok:
            row = self.w * nch
            for b0 in range(i0, i1, self.band):
                b1 = min(b0 + self.band, i1)
                n = b1 - b0
                flat, off = self._rows(b0, b1 - 1 + self.keh, self.left * nch, self.right * nch)
                starts = [off + (b * self.dx - self.left) * nch for b in used]
                self._matmul_band(flat, starts, (row, self.dy * row), n, row, kh, used, columns, b0)
            for j0, j1 in self._border_columns():
                self._direct_block(groups, i0, i1, j0, j1)
            return
        for b0 in range(i0, i1, self.band):
            b1 = min(b0 + self.band, i1)
            n = b1 - b0
            blk = self._block(b0 * self.sy, (b1 - 1) * self.sy + self.keh, 0, cols_needed(self.geo))
            pitch = blk.shape[1] * nch
            starts = [b * self.dx * nch for b in used]
            strides = (self.sy * pitch, self.dy * pitch)
            self._matmul_band(
                blk.reshape(-1), starts, strides, n, self.ow * nch, kh, used, columns, b0
            )

    def _stacked(self, k: np.ndarray, groups: Groups, i0: int, i1: int) -> None:
        kh, kw = k.shape
        nch, dx, sy = self.nch, self.dx, self.sy
        weights = np.ascontiguousarray(k.ravel())  # tap t = r·kw + c
        width = self.ow * nch  # output row length in elements
        band = stacked_band_rows(kh, kw, width, self.work.itemsize, self.stack_bytes)
        for b0 in range(i0, i1, band):
            b1 = min(b0 + band, i1)
            n = b1 - b0
            rows = (n - 1) * sy + kh
            stack = self.scratch.get("stack", rows * kw * width).reshape(rows, kw, width)
            if self.full_rows_ok:
                row = self.w * nch
                flat, off = self._rows(b0, b1 - 1 + kh, self.left * nch, self.right * nch)
                for c in range(kw):
                    start = off + (c * dx - self.left) * nch
                    np.copyto(stack[:, c], flat[start : start + rows * row].reshape(rows, row))
            else:
                blk = self._block(b0 * sy, (b1 - 1) * sy + kh, 0, cols_needed(self.geo))
                for c in range(kw):
                    np.copyto(
                        stack[:, c],
                        blk[:, c * dx : c * dx + self.ow].reshape(rows, width),
                    )
            view = rows_view(stack.reshape(-1), 0, n, kh * kw, width, (sy * kw * width, width))
            np.matmul(weights, view, out=self.out[b0:b1].reshape(n, width))
        if self.full_rows_ok:
            for j0, j1 in self._border_columns():
                self._direct_block(groups, i0, i1, j0, j1)

    def _matmul_band(
        self,
        flat: np.ndarray,
        starts: list[int],
        strides: tuple[int, int],
        n: int,
        width: int,
        kh: int,
        used: list[int],
        columns: list[np.ndarray],
        b0: int,
    ) -> None:
        """``out[b0:b0+n] = Σ_b columns[b] · rows(b)``; ``rows(b)`` is an ``(n, kh, width)``
        view of ``flat`` from ``starts[b]`` with ``strides`` (elements) for output and tap rows."""
        dst = self.out[b0 : b0 + n].reshape(n, width)
        tmp = self.scratch.get("tmp", n * width).reshape(n, width)
        for index, (b, start) in enumerate(zip(used, starts, strict=True)):
            view = rows_view(flat, start, n, kh, width, strides)
            if index == 0:
                np.matmul(columns[b], view, out=dst)
            else:
                np.matmul(columns[b], view, out=tmp)
                np.add(dst, tmp, out=dst)

    def _border_columns(self) -> list[tuple[int, int]]:
        """Output columns whose full-row windows wrapped into a neighbouring row."""
        spans = []
        if self.left > 0:
            spans.append((0, min(self.left, self.ow)))
        if self.right > 0:
            j0 = max(self.ow - self.right, min(self.left, self.ow))
            if j0 < self.ow:
                spans.append((j0, self.ow))
        return spans

    def _direct_block(self, groups: Groups, b0: int, b1: int, j0: int, j1: int) -> None:
        sy, sx, dy, dx, nch = self.sy, self.sx, self.dy, self.dx, self.nch
        n, m = b1 - b0, j1 - j0
        blk = self._block(b0 * sy, (b1 - 1) * sy + self.keh, j0 * sx, (j1 - 1) * sx + self.kew)
        dst = self.out[b0:b1, j0:j1]
        if sy == 1 and sx == 1:
            pitch = blk.shape[1]
            length = (n - 1) * pitch * nch + m * nch
            flat = blk.reshape(-1)
            windows = [
                (w, [flat[(a * dy * pitch + b * dx) * nch :][:length] for a, b in offs], sg)
                for w, offs, sg in groups
            ]
            wide = self.scratch.get("wide", n * pitch * nch)
            accumulate(wide[:length], self.scratch.get("tmp", length), windows)
            np.copyto(dst, wide.reshape((n, pitch) + self.chan)[:, :m])
            return
        rows, cols = (n - 1) * sy + 1, (m - 1) * sx + 1
        windows = [
            (
                w,
                [blk[a * dy : a * dy + rows : sy, b * dx : b * dx + cols : sx] for a, b in offs],
                sg,
            )
            for w, offs, sg in groups
        ]
        tmp = self.scratch.get("tmp", n * m * nch).reshape(dst.shape)
        accumulate(dst, tmp, windows)

    # -- separable -------------------------------------------------------------------------

    def separable(
        self,
        u_groups: Groups,
        v_groups: Groups,
        i0: int,
        i1: int,
        u_gemv: np.ndarray | None = None,
    ) -> None:
        """Vertical pass with ``u``, then horizontal pass with ``v``, band by band.

        With ``u_gemv`` (the full vertical factor, floats only) the vertical pass is one BLAS
        matrix-vector product per row instead of one elementwise pass per tap.
        """
        if not self.full_rows_ok:
            for b0 in range(i0, i1, self.band):
                b1 = min(b0 + self.band, i1)
                self._separable_block(u_groups, v_groups, b0, b1, 0, self.ow)
            return
        nch, row = self.nch, self.w * self.nch
        before, after = self.left * nch, self.right * nch
        for b0 in range(i0, i1, self.band):
            b1 = min(b0 + self.band, i1)
            length = (b1 - b0) * row
            flat, off = self._rows(b0, b1 - 1 + self.keh, 0, 0)
            # Vertical pass into a buffer with margins, so the horizontal windows stay in it.
            vbuf = self.scratch.get("vert", before + length + after)
            vbuf[:before] = 0
            vbuf[before + length :] = 0
            vert = vbuf[before : before + length]
            if u_gemv is not None:
                n = b1 - b0
                view = rows_view(flat, off, n, u_gemv.size, row, (row, self.dy * row))
                np.matmul(u_gemv, view, out=vert.reshape(n, row))
            else:
                windows = [
                    (w, [flat[off + a * self.dy * row :][:length] for a, _ in offs], sg)
                    for w, offs, sg in u_groups
                ]
                accumulate(vert, self.scratch.get("tmp", length), windows)
            windows = [
                (w, [vbuf[b * self.dx * nch :][:length] for _, b in offs], sg)
                for w, offs, sg in v_groups
            ]
            accumulate(self.out[b0:b1].reshape(-1), self.scratch.get("tmp", length), windows)
        for j0, j1 in self._border_columns():
            self._separable_block(u_groups, v_groups, i0, i1, j0, j1)

    def _separable_block(
        self, u_groups: Groups, v_groups: Groups, b0: int, b1: int, j0: int, j1: int
    ) -> None:
        sy, sx, dy, dx, nch = self.sy, self.sx, self.dy, self.dx, self.nch
        n, m = b1 - b0, j1 - j0
        blk = self._block(b0 * sy, (b1 - 1) * sy + self.keh, j0 * sx, (j1 - 1) * sx + self.kew)
        pitch = blk.shape[1]
        size = n * pitch * nch
        vert, tmp = self.scratch.get("vert", size), self.scratch.get("tmp", size)
        if sy == 1:
            flat = blk.reshape(-1)
            windows = [
                (w, [flat[a * dy * pitch * nch :][:size] for a, _ in offs], sg)
                for w, offs, sg in u_groups
            ]
            accumulate(vert, tmp, windows)
        else:
            rows = (n - 1) * sy + 1
            windows = [
                (w, [blk[a * dy : a * dy + rows : sy] for a, _ in offs], sg)
                for w, offs, sg in u_groups
            ]
            shape = (n, pitch) + self.chan
            accumulate(vert.reshape(shape), tmp.reshape(shape), windows)
        dst = self.out[b0:b1, j0:j1]
        if sx == 1:
            length = (n - 1) * pitch * nch + m * nch
            windows = [
                (w, [vert[b * dx * nch :][:length] for _, b in offs], sg)
                for w, offs, sg in v_groups
            ]
            wide = self.scratch.get("wide", size)
            accumulate(wide[:length], tmp[:length], windows)
            np.copyto(dst, wide.reshape((n, pitch) + self.chan)[:, :m])
            return
        vert2d = vert.reshape((n, pitch) + self.chan)
        cols = (m - 1) * sx + 1
        windows = [
            (w, [vert2d[:, b * dx : b * dx + cols : sx] for _, b in offs], sg)
            for w, offs, sg in v_groups
        ]
        accumulate(dst, tmp[: n * m * nch].reshape(dst.shape), windows)
