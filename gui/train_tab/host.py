"""What the Train tab's mixins (:mod:`~gui.train_tab.persistence`, :mod:`~gui.train_tab.runner`)
may use of :class:`gui.train_tab.page.TrainTab`: its widgets, its state and the methods the other
parts define — declared once, for the type checker.

At run time :class:`TrainTabParts` is a plain empty base (the page provides everything); to
mypy it is a :class:`~gui.widgets.TabPage` with these members, so a mixin that reaches for a
name the page does not have is an error instead of an ``AttributeError`` at run time. The
imports are for the checker only and none of those modules imports a mixin (no import circle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QTabWidget, QWidget

    from engine.train import Dataset, History, Model
    from gui.train_tab.draw_panel import DigitCanvas
    from gui.train_tab.experiments_panel import ExperimentsPanel
    from gui.train_tab.learned_panel import LearnedPanel
    from gui.train_tab.plots import CurvesPanel
    from gui.train_tab.setup_panel import DataBox, ModelSlot, OptionsBox
    from gui.train_tab.state import TrainOptions
    from gui.widgets import TabPage

    _Page = TabPage
else:
    _Page = object

__all__ = ["TrainTabParts"]


class TrainTabParts(_Page):
    """The Train tab's members its mixins use (see the module docstring)."""

    if TYPE_CHECKING:
        # state
        options: TrainOptions
        networks: dict[str, dict[str, Any]]
        models: dict[str, Model | None]
        histories: dict[str, History]
        source: dict[str, Any]
        restoring: dict[str, Any] | None
        dataset: Dataset
        train_x: np.ndarray
        train_y: np.ndarray
        val_x: np.ndarray
        val_y: np.ndarray
        # widgets
        data_box: DataBox
        options_box: OptionsBox
        slots: dict[str, ModelSlot]
        pages: QTabWidget
        curves: CurvesPanel
        experiments: ExperimentsPanel
        status_label: QLabel
        time_label: QLabel
        progress: QProgressBar
        train_button: QPushButton
        pause_button: QPushButton
        export_button: QPushButton
        learned: LearnedPanel
        canvas: DigitCanvas
        webcam_dialog: QWidget | None

        @property
        def loading(self) -> bool:
            """Whether data is being read in the background (DataMixin)."""
            ...

        def input_shape(self) -> tuple[int, int, int]:
            """C × H × W of one sample of the current data (TrainTab)."""
            ...

        def trained(self, slot: str) -> bool:
            """Whether ``slot``'s model has been trained (TrainTab)."""
            ...

        def rebuild_models(self, slots: tuple[str, ...] = ...) -> None:
            """Fresh untrained models for ``slots`` (TrainTab)."""
            ...

        def curves_changed(self, slot: str) -> None:
            """Redraw ``slot``'s curves (TrainTab)."""
            ...

        def _models_changed(self) -> None: ...
        def _read_options(self) -> None: ...
        def prepare_data(self) -> None:
            """Subset, split, rebuild the models (DataMixin)."""
            ...

        def start_loading(
            self,
            source: dict[str, Any],
            *,
            then: Any = None,
            restoring: dict[str, Any] | None = None,
        ) -> None:
            """Read ``source`` in the background (DataMixin)."""
            ...

        def stop_loading(self) -> None:
            """Cancel the background load (DataMixin)."""
            ...

        def stop_worker(self) -> None:
            """Stop training or an experiment (RunnerMixin)."""
            ...

        def _trained_summary(self) -> str: ...
