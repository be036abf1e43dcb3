"""The "Which input?" panel: recover the input behind given outputs of known kernels.

The reverse of "Which filter is this?": the Matrix tab supplies its kernels and settings, the user
pastes one output per kernel (or copies the current ones), and :func:`engine.tutor.solve_input`
finds the input by least squares — exact and unique when the outputs pin it down, else the best
one with the rank, the residual and the input cells no output reaches (marked "?").
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.matrix import MatrixParseError, matrix_to_text, parse_matrix
from engine.text import format_short
from engine.tutor import InputSolution, solve_input
from gui.colours import set_tone, tone_label
from gui.tutor.marks import MarksView
from gui.tutor.tutor_state import read_bool, read_text

Named = list[tuple[str, np.ndarray]]


class WhichInputPanel(QWidget):
    """One output box per kernel of the tab; "Find the input" solves for the input.

    ``kernels()`` returns the tab's ``(name, kernel)`` pairs, ``settings()`` the keyword
    arguments of :func:`engine.tutor.solve_input` (padding, stride, dilation, operation) and
    ``outputs()`` the tab's current ``(name, output or None)`` pairs, one per kernel.

    Signals
    -------
    use_input(object)
        "Use as input" with the recovered input.
    message(str)
        Status text.
    edited()
        An output box's text or tick changed (what :meth:`save_state` holds).
    """

    use_input = Signal(object)
    message = Signal(str)
    edited = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        kernels: Callable[[], Named],
        settings: Callable[[], dict[str, Any]],
        outputs: Callable[[], list[tuple[str, np.ndarray | None]]],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("whichInputPanel")
        self._kernels = kernels
        self._settings = settings
        self._outputs = outputs
        self.solution: InputSolution | None = None
        self.uses: list[QCheckBox] = []
        self.edits: list[QPlainTextEdit] = []
        # one page per kernel: a scroll area of boxes would cut boxes off at 1100×750
        self.output_tabs = QTabWidget(self)
        self.output_tabs.setObjectName("whichInputOutputs")
        self.output_tabs.setUsesScrollButtons(True)
        self._pages: list[QWidget] = []
        self.copy_button = QPushButton("Copy the current outputs", self)
        self.copy_button.setObjectName("whichInputCopy")
        self.copy_button.setToolTip("Fill every box with the output the tab shows for that kernel")
        self.copy_button.clicked.connect(self.copy_outputs)
        self.solve_button = QPushButton("Find the input", self)
        self.solve_button.setObjectName("whichInputSolve")
        self.solve_button.clicked.connect(self.solve)
        self.settings_label = QLabel(self)
        self.settings_label.setObjectName("whichInputSettings")
        self.settings_label.setWordWrap(True)
        tone_label(self.settings_label, "hint")
        self.result = QLabel(
            "Paste the outputs of one or more of the tab's kernels (tick the ones to use), then "
            "find the input: every output cell is one linear equation in the unknown input cells.",
            self,
        )
        self.result.setObjectName("whichInputResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        tone_label(self.result, None)
        self.input_view = MarksView(self, name="whichInputView")
        self.input_view.hide()
        self.use_button = QPushButton("Use as input", self)
        self.use_button.setObjectName("whichInputUse")
        self.use_button.setEnabled(False)
        self.use_button.setToolTip("Load the recovered input into the tab (undoable)")
        self.use_button.clicked.connect(self._on_use)

        left = QVBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.solve_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        left.addWidget(self.settings_label)
        left.addWidget(self.output_tabs, 1)
        right = QVBoxLayout()
        right.addWidget(self.result)
        right.addWidget(self.input_view, 1)
        right.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignLeft)
        right.addStretch(0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.refresh()

    def refresh(self) -> None:
        """Match the output boxes to the tab's kernels (typed text is kept per position)."""
        kernels = self._kernels()
        while len(self.edits) < len(kernels):
            i = len(self.edits)
            page = QWidget(self)
            use = QCheckBox("Use this output", page)
            use.setObjectName(f"whichInputUse{i}")
            use.setChecked(i == 0)
            edit = QPlainTextEdit(page)
            edit.setObjectName(f"whichInputOutput{i}")
            edit.setPlaceholderText("Paste this kernel's output here")
            edit.setTabChangesFocus(True)
            edit.textChanged.connect(lambda box=use: box.setChecked(True))
            edit.textChanged.connect(self._on_edited)
            use.toggled.connect(self._on_edited)
            page_layout = QVBoxLayout(page)
            page_layout.setContentsMargins(4, 4, 4, 4)
            page_layout.addWidget(use)
            page_layout.addWidget(edit, 1)
            self._pages.append(page)
            self.uses.append(use)
            self.edits.append(edit)
        titles = [f"{name} ({k.shape[0]}×{k.shape[1]})" for name, k in kernels]
        shown = [self.output_tabs.tabText(i) for i in range(self.output_tabs.count())]
        if shown != [t.replace("&", "&&") for t in titles]:
            current = self.output_tabs.currentIndex()
            while self.output_tabs.count():
                self.output_tabs.removeTab(0)
            for page, title in zip(self._pages, titles, strict=False):
                self.output_tabs.addTab(page, title.replace("&", "&&"))
            self.output_tabs.setCurrentIndex(min(max(current, 0), len(titles) - 1))
        s = self._settings()
        padding = s["padding"]
        pad = f"padding {padding}" if isinstance(padding, str) else f"zero padding {padding}"
        op = "cross-correlation" if s["operation"] == "correlate" else "true convolution"
        self.settings_label.setText(
            f"With the tab's settings: {op}, {pad}, stride {s['stride']}, dilation {s['dilation']}."
        )

    def set_output_text(self, index: int, text: str) -> None:
        """Put ``text`` in output box ``index`` and tick it (as a paste would)."""
        self.edits[index].setPlainText(text)

    def save_state(self) -> dict[str, object]:
        """Each output box's text and tick, in kernel order (plain JSON types)."""
        return {
            "outputs": [
                {"text": edit.toPlainText(), "use": use.isChecked()}
                for edit, use in zip(self.edits, self.uses, strict=True)
            ]
        }

    def restore_state(self, state: object) -> None:
        """Restore :meth:`save_state` output into the boxes the tab's kernels have now; bad
        entries and boxes beyond them are skipped. Nothing is solved until "Find the input"."""
        outputs = state.get("outputs") if isinstance(state, dict) else None
        if not isinstance(outputs, list):
            return
        for i, entry in enumerate(outputs[: len(self.edits)]):
            if not isinstance(entry, dict):
                continue
            text = read_text(entry.get("text"))
            if text is not None:
                self.edits[i].setPlainText(text)  # ticks the box, as a paste does
            use = read_bool(entry.get("use"))
            if use is not None:
                self.uses[i].setChecked(use)

    def copy_outputs(self) -> None:
        """Fill the boxes with the tab's current outputs and tick them all."""
        for i, (_name, out) in enumerate(self._outputs()[: len(self.edits)]):
            if out is not None:  # a kernel that does not fit the input has no output
                self.edits[i].setPlainText(matrix_to_text(out, "tsv"))
                self.uses[i].setChecked(True)

    def solve(self) -> InputSolution | None:
        """Solve for the input with the ticked outputs; report in the panel."""
        kernels = self._kernels()
        outputs, used = [], []
        try:
            for i, (_name, k) in enumerate(kernels):
                if self.uses[i].isChecked() and self.edits[i].toPlainText().strip():
                    outputs.append(parse_matrix(self.edits[i].toPlainText())[0])
                    used.append(k)
            if not outputs:
                raise ValueError("paste at least one output and tick it")
            solution = solve_input(outputs, used, **self._settings())
        except (MatrixParseError, ValueError) as exc:
            self._fail(f"Cannot solve: {exc}")
            return None
        self.solution = solution
        verdict = "exact" if solution.exact else "not exact"
        unique = "unique" if solution.unique else "not unique"
        stats = (
            f"{len(outputs)} output(s), {solution.x.shape[0]}×{solution.x.shape[1]} input · "
            f"{verdict} · {unique} · rank {solution.rank} of {solution.unknowns} unknowns · "
            f"residual {format_short(solution.residual)}"
        )
        self.result.setText(f"<b>{html.escape(solution.message)}</b><br>{html.escape(stats)}")
        set_tone(self.result, None if solution.exact else "warning")
        unknown = {
            (int(r), int(c)): "unknown" for r, c in np.argwhere(~np.asarray(solution.determined))
        }
        self.input_view.marks.set_values(solution.x, unknown)
        self.input_view.show()
        self.use_button.setEnabled(True)
        self.message.emit(solution.message)
        return solution

    def _on_edited(self, *_args) -> None:
        self.edited.emit()

    def _fail(self, text: str) -> None:
        self.solution = None
        self.result.setText(html.escape(text))
        set_tone(self.result, "error")
        self.input_view.hide()
        self.use_button.setEnabled(False)
        self.message.emit(text)
        return None

    def _on_use(self) -> None:
        if self.solution is not None:
            self.use_input.emit(self.solution.x)
