"""Session state of the gallery tab (plain JSON types only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.images import GalleryOptions

if TYPE_CHECKING:
    from gui.gallery_tab.page import GalleryTab


def page_state(page: GalleryTab) -> dict[str, Any]:
    """The gallery's session state as plain JSON types: source, selected tile, options, backend,
    video looping and the custom kernels sent from the Matrix tab."""
    return {
        "source": dict(page.source_state),
        "selected": page.selected,
        "options": page.pipeline.options.to_dict(),
        "backend": page.options_panel.backend(),
        "loop_video": page.source_bar.loop_check.isChecked(),
        "custom_kernels": [
            {"name": name, "weights": kernel.tolist()}
            for name, kernel in page.pipeline.custom_kernels().items()
        ],
    }


def restore_page_state(page: GalleryTab, state: object) -> None:
    """Apply :func:`page_state` output; unknown or bad entries are ignored."""
    if not isinstance(state, dict):
        return
    options = GalleryOptions.from_dict(state.get("options"))
    page.pipeline.options = options
    page.options_panel.set_options(options)
    if isinstance(state.get("loop_video"), bool):
        page.source_bar.loop_check.setChecked(state["loop_video"])
    if state.get("backend") in ("numpy", "opencv"):
        page.options_panel.set_backend(state["backend"])
    kernels = state.get("custom_kernels")
    if isinstance(kernels, list):
        for entry in kernels:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                try:
                    page.pipeline.add_custom_kernel(entry["name"], entry.get("weights"))
                except ValueError:
                    continue  # a damaged entry is skipped, the rest still load
        page.grid.set_tiles(page.pipeline.tiles())
    selected = state.get("selected")
    if isinstance(selected, str) and selected in {t.key for t in page.pipeline.tiles()}:
        page.select(selected)
    source = state.get("source")
    if isinstance(source, dict):
        kind = source.get("kind")
        if kind == "sample" and isinstance(source.get("name"), str):
            page.open_sample(source["name"])
        elif kind == "file" and isinstance(source.get("path"), str):
            page.open_image(source["path"])
        elif kind == "video" and isinstance(source.get("path"), str):
            page.open_video(source["path"])
    page.refresh()
