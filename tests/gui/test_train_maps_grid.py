"""The feature-maps grid of "What it learned" fits its view when it can (no scrolling at
1100×750), the last layer's bars included, and scrolls only when even the smallest
pictures do not fit."""

from __future__ import annotations

from gui.train_tab.maps_box import BARS_MIN, CELL_MARGIN, MAP_MIN_PX, plan_grid

#: The preset CNN's nine maps: their captions' pixel widths in the caption font (DejaVu Sans
#: at 0.85 × 9 pt, measured offscreen), the last one the bars'.
CAPTIONS = [27, 44, 44, 51, 44, 44, 51, 40, 73]
BARS = [False] * 8 + [True]


def grid_size(px: int, per_row: int, spacing: int, caption_height: int) -> tuple[int, int]:
    n = len(CAPTIONS)
    columns = [
        max(
            max(CAPTIONS[i], max(px, BARS_MIN[0]) if BARS[i] else px) + 2 * CELL_MARGIN
            for i in range(c, n, per_row)
        )
        for c in range(per_row)
    ]
    rows = [
        max(
            (max(px, BARS_MIN[1]) if BARS[i] else px)
            for i in range(r * per_row, min(n, (r + 1) * per_row))
        )
        + caption_height
        for r in range(-(-n // per_row))
    ]
    return sum(columns) + spacing * (per_row - 1), sum(rows)


def test_the_preset_maps_fit_the_view_of_the_smallest_window():
    width, height, spacing, caption = 321, 181, 4, 32
    px, per_row = plan_grid(
        width, height, caption_height=caption, caption_widths=CAPTIONS, bars=BARS, spacing=spacing
    )
    used_w, used_h = grid_size(px, per_row, spacing, caption)
    assert used_w <= width and used_h <= height, (px, per_row, used_w, used_h)
    assert px >= MAP_MIN_PX


def test_the_pictures_grow_with_the_view():
    small = plan_grid(321, 181, caption_height=32, caption_widths=CAPTIONS, bars=BARS, spacing=4)
    large = plan_grid(900, 600, caption_height=32, caption_widths=CAPTIONS, bars=BARS, spacing=4)
    assert large[0] > small[0]
    used_w, used_h = grid_size(*large, 4, 32)
    assert used_w <= 900 and used_h <= 600


def test_a_view_too_small_for_anything_gives_the_smallest_pictures_and_scrolls():
    px, per_row = plan_grid(
        120, 80, caption_height=32, caption_widths=CAPTIONS, bars=BARS, spacing=4
    )
    assert px == MAP_MIN_PX
    assert 1 <= per_row <= len(CAPTIONS)


def test_wide_captions_decide_the_columns_not_only_the_pictures():
    # Without counting the captions, five per row look fine for 40 px pictures (5·50 = 250 px);
    # with captions of 85 px, five columns need 425 px and do not fit in 300.
    wide = [85] * 9
    px, per_row = plan_grid(
        300, 400, caption_height=32, caption_widths=wide, bars=[False] * 9, spacing=4
    )
    assert per_row * (85 + 2 * CELL_MARGIN) + 4 * (per_row - 1) <= 300
