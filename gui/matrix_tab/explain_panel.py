"""The explanation: the window on the padded input, the sum of products, and step controls."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSlider,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.conv import CellTrace
from gui.colours import follow_palette
from gui.matrix_tab.cell_colours import cell_colours
from gui.matrix_tab.matrix_model import ReadOnlyMatrixModel, mono_font
from gui.matrix_tab.matrix_view import MatrixView
from gui.matrix_tab.window_picture import PictureCell, WindowPicture
from gui.widgets.spin_boxes import int_spin

SPEEDS = (0.5, 1, 2, 4, 8, 16)  # output cells per second


def legend_html(palette: QPalette) -> str:
    """The "window / padding" legend in the same colours as the cells on ``palette``."""
    colours = cell_colours(palette)
    return (
        f"<span style='background:{colours.window.name()};color:{colours.on_highlight.name()}'>"
        "&nbsp;window&nbsp;</span> "
        f"<span style='background:{colours.padding.name()};color:{colours.padding_text.name()}'>"
        "<i>&nbsp;padding&nbsp;</i></span>"
    )


class ExplainPanel(QWidget):
    """Padded-input view with the window highlighted, the explanation text and step controls.

    The step timer belongs to this panel; :meth:`stop` stops it (the tab calls it from
    ``deactivate`` and ``shutdown``).

    Signals
    -------
    step_requested(int)
        +1 (next cell) or −1 (previous cell): from the buttons or the play timer.
    """

    step_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explainPanel")
        self.padded_title = QLabel("Padded input", self)
        self.padded_title.setObjectName("paddedTitle")
        self.padded_title.setStyleSheet("font-weight: 600;")
        self.padded_title.setWordWrap(True)
        self.padded_model = ReadOnlyMatrixModel(self)
        self.padded_view = MatrixView(self, editable=False)
        self.padded_view.setObjectName("paddedView")
        self.padded_view.setModel(self.padded_model)
        self.padded_view.setToolTip("Grey italic cells are zero padding; orange = the window")
        legend = QLabel(self)
        legend.setObjectName("explainLegend")
        follow_palette(legend, lambda: legend.setText(legend_html(legend.palette())))
        self.channel_spin = int_spin(
            self, "explainChannel", 0, 0, 0, "Which input channel's window to show (layer mode)"
        )
        self.channel_spin.setPrefix("channel ")
        self.channel_spin.hide()
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("explanationText")
        self.text.setReadOnly(True)
        self.text.setFont(mono_font())
        self.text.setPlaceholderText(
            "Hover over or click an output cell to see its window and its sum of products."
        )

        self.back_button = self._button("stepBack", "◀ Back", "Previous output cell", -1)
        self.play_button = QToolButton(self)
        self.play_button.setObjectName("stepPlay")
        self.play_button.setText("▶ Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Walk through the output cells in order")
        self.play_button.toggled.connect(self._on_play_toggled)
        self.step_button = self._button("stepForward", "Step ▶", "Next output cell", 1)
        self.speed = QSlider(Qt.Orientation.Horizontal, self)
        self.speed.setObjectName("stepSpeed")
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(2)
        self.speed.setFixedWidth(110)
        self.speed.setToolTip("Cells per second while playing")
        self.speed.valueChanged.connect(self._on_speed)
        self.speed_label = QLabel(self)
        self.speed_label.setObjectName("stepSpeedLabel")
        self.position_label = QLabel("", self)
        self.position_label.setObjectName("stepPosition")

        self.timer = QTimer(self)
        self.timer.setObjectName("stepTimer")
        self.timer.timeout.connect(lambda: self.step_requested.emit(1))
        self._on_speed(self.speed.value())

        controls = QHBoxLayout()
        controls.setSpacing(4)
        for widget in (self.back_button, self.play_button, self.step_button):
            controls.addWidget(widget)
        controls.addSpacing(8)
        controls.addWidget(QLabel("Speed", self))
        controls.addWidget(self.speed)
        controls.addWidget(self.speed_label)
        controls.addSpacing(8)
        controls.addWidget(self.position_label, 1)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.padded_title)
        legend_row = QHBoxLayout()
        legend_row.addWidget(legend)
        legend_row.addStretch(1)
        legend_row.addWidget(self.channel_spin)
        left_layout.addLayout(legend_row)
        # The view is exactly as large as the padded matrix: extra height goes below it.
        left_layout.addWidget(
            self.padded_view, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        )
        left_layout.addStretch(1)
        self.picture = WindowPicture(self)
        self.picture_scroll = picture_scroll = QScrollArea(self)
        picture_scroll.setObjectName("windowPictureScroll")
        picture_scroll.setWidget(self.picture)
        picture_scroll.setWidgetResizable(True)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.setObjectName("explainRightSplitter")
        right.addWidget(picture_scroll)
        right.addWidget(self.text)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("explainSplitter")
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([500, 500])  # half each (the text's size hint would take most)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        # Step controls span both panes: beside the text they held it (and so the padded input)
        # to a third of a narrow window.
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)

    def _button(self, name: str, text: str, tip: str, step: int) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda: self.step_requested.emit(step))
        return button

    def _on_speed(self, index: int) -> None:
        rate = SPEEDS[index]
        self.timer.setInterval(int(round(1000 / rate)))
        self.speed_label.setText(f"{rate:g} cells/s")

    def _on_play_toggled(self, playing: bool) -> None:
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")
        if playing:
            self.timer.start()
        else:
            self.timer.stop()

    def stop(self) -> None:
        """Pause playback (stops the timer)."""
        self.play_button.setChecked(False)
        self.timer.stop()

    def show_padded(
        self,
        padded: np.ndarray,
        pad: tuple[int, int],
        mask: np.ndarray,
        title: str,
        window: list[tuple[int, int]],
        tips: dict[tuple[int, int], str],
        focus: tuple[int, int] | None = None,
    ) -> None:
        """Show the padded input and highlight the window cells (padded coordinates)."""
        self.padded_title.setText(title)
        self.padded_model.set_matrix(padded, offset=pad, padding_mask=mask)
        cells = {cell: "window" for cell in window}
        if focus is not None:
            cells[focus] = "focus"
        self.padded_model.set_highlight(cells, tips)
        if window:
            self.padded_view.scrollTo(self.padded_model.index(*window[0]))
            self.padded_view.scrollTo(self.padded_model.index(*window[-1]))

    def show_window(self, trace: CellTrace, output_label: str, caption: str = "") -> None:
        """Draw ``trace``'s window cell by cell, linked to its output cell."""
        kh, kw = trace.geometry.kernel_shape
        cells: list[list[PictureCell | None]] = [
            [
                PictureCell(t.weight, t.value, t.product, t.is_padding)
                for t in trace.terms[a * kw : (a + 1) * kw]
            ]
            for a in range(kh)
        ]
        self.show_cells(cells, trace.total, output_label, caption)

    def show_cells(
        self,
        cells: list[list[PictureCell | None]],
        total: float | int,
        output_label: str,
        caption: str = "",
        labels: tuple[str, str] = ("w", "x"),
    ) -> None:
        """Draw any grid of products (a gradient's terms too) linked to the cell they sum to."""
        self.picture.show_window(cells, total, output_label, caption, labels)
        # The picture gets the height it needs (up to a point); the text scrolls below it.
        frame = 2 * self.picture_scroll.frameWidth()
        self.picture_scroll.setMinimumHeight(min(self.picture.sizeHint().height() + frame, 220))

    def clear_window(self) -> None:
        """Empty the window picture (e.g. while a pooled cell is explained)."""
        self.picture.clear()

    def set_explanation(self, text: str, position: str = "") -> None:
        """Replace the explanation text and the "cell k of n" label."""
        self.text.setPlainText(text)
        self.position_label.setText(position)

    def explanation(self) -> str:
        """The explanation text shown."""
        return self.text.toPlainText()
