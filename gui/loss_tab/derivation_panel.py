"""Check my derivation: type a derivation one step a line, see ✓/✗ per line and the slip.

The checking is :func:`engine.derivation.check_derivation`; this panel only edits the text,
shows the marks (in the table and as tinted lines in the editor) and names the first wrong
step, the slip that explains it and whether the target was reached. The check runs on a
worker thread (a long derivation takes a second or more of sympy); editing the text while it
runs drops its result.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from engine.derivation import (
    DERIVATION_LIMITS,
    DERIVATION_TOPICS,
    DerivationResult,
    check_derivation,
)
from gui.loss_tab.common import message_label, show_message
from gui.tutor.marks import mark_background
from gui.widgets import JobRunner

#: How the summary names a slip (other codes are shown with spaces for underscores).
_TITLES = {
    "quotient_rule_numerator": "quotient-rule numerator",
    "dropped_sum_y": "dropped Σy = 1",
    "unknown_on_both_sides": "w on both sides",
    "missing_lambda": "missing λ",
    "missing_n": "missing n",
    "wrong_lambda_term": "wrong λ term",
    "lost_delta": "lost δ_ij",
}

_PLACEHOLDER = (
    "One step a line, LaTeX or plain text, e.g.\n"
    "\\frac{\\partial \\hat{y}_i}{\\partial z_j} = \\frac{\\partial}{\\partial z_j} "
    "\\frac{e^{z_i}}{\\sum_k e^{z_k}}\n"
    "= ŷ_i (δ_ij − ŷ_j)\n\n"
    "A line starting with = continues the one before; text after \\quad, \\text{…}, % or "
    "'since' is a remark."
)


class DerivationPanel(QWidget):
    """Topic, derivation editor, Check button, per-line marks and the verdict.

    Signals
    -------
    edited()
        The text or the topic changed (sessions save them).
    checked(object)
        A check finished; the argument is the :class:`~engine.derivation.DerivationResult`.
    """

    edited = Signal()
    checked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("derivationPanel")
        self.result: DerivationResult | None = None
        self.topic_combo = QComboBox(self)
        self.topic_combo.setObjectName("derivationTopic")
        for key, topic in DERIVATION_TOPICS.items():
            self.topic_combo.addItem(topic.title, key)
        self.topic_combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.example_button = QPushButton("Load the sheet's derivation", self)
        self.example_button.setObjectName("derivationExample")
        self.example_button.setToolTip(
            "The exercise sheet's derivation for this topic, slip and all"
        )
        self.check_button = QPushButton("Check", self)
        self.check_button.setObjectName("derivationCheck")
        self.check_button.setDefault(True)
        self.target_label = QLabel(self)
        self.target_label.setObjectName("derivationTarget")
        self.target_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("derivationEditor")
        self.editor.setPlaceholderText(_PLACEHOLDER)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        self.marks = QTableWidget(0, 3, self)
        self.marks.setObjectName("derivationMarks")
        self.marks.setHorizontalHeaderLabels(["", "Step", "Verdict"])
        self.marks.verticalHeader().setVisible(False)
        self.marks.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.marks.setWordWrap(True)
        header = self.marks.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 360)

        self.summary = QLabel(self)
        self.summary.setObjectName("derivationSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = message_label(self, "derivationError")

        row = QHBoxLayout()
        row.addWidget(QLabel("Topic:", self))
        row.addWidget(self.topic_combo, 1)
        row.addWidget(self.example_button)
        row.addWidget(self.check_button)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.editor)
        splitter.addWidget(self.marks)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([200, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.target_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.error_label)

        self._runner = JobRunner(self, name="derivationChecker")
        self._runner.finished.connect(self._on_checked)
        self._runner.failed.connect(self._on_failed)
        self.topic_combo.currentIndexChanged.connect(self._on_topic)
        self.example_button.clicked.connect(self.load_example)
        self.check_button.clicked.connect(self.check)
        self.editor.textChanged.connect(self._on_text)
        self._on_topic()

    # -- what tests and the session use -----------------------------------------------------------
    def topic(self) -> str:
        """The key of the chosen topic (``"softmax_derivative"``, …)."""
        return str(self.topic_combo.currentData())

    def set_topic(self, key: str) -> None:
        """Choose the topic ``key`` (unknown keys are ignored)."""
        index = self.topic_combo.findData(key)
        if index >= 0:
            self.topic_combo.setCurrentIndex(index)

    def text(self) -> str:
        """The derivation as typed."""
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the derivation (marks are cleared until the next check)."""
        self.editor.setPlainText(text)

    @Slot()
    def load_example(self) -> None:
        """Load the exercise sheet's derivation for the chosen topic (with its slip)."""
        self.set_text(DERIVATION_TOPICS[self.topic()].example_wrong)

    @Slot()
    def check(self) -> None:
        """Start checking the derivation; :attr:`checked` follows with the marks shown, or a
        refused text shows its message."""
        if not self.text().strip():
            show_message(self.error_label, "Type or paste a derivation first, one step a line.")
            return
        text, topic = self.text(), self.topic()
        self._clear_marks()
        show_message(self.error_label, None)
        self.summary.setText("Checking…")
        self.check_button.setEnabled(False)
        self._runner.start(lambda _control: check_derivation(text, topic=topic))

    @property
    def checking(self) -> bool:
        """Whether a check is running."""
        return self._runner.busy

    def shutdown(self) -> None:
        """Stop a running check and wait for its thread."""
        self._runner.shutdown()
        self.check_button.setEnabled(True)

    @Slot(object)
    def _on_checked(self, result: DerivationResult) -> None:
        self.check_button.setEnabled(True)
        self._show(result)
        self.checked.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.check_button.setEnabled(True)
        self._clear_marks()
        show_message(self.error_label, message)

    def save_state(self) -> dict[str, Any]:
        """The topic and the text (plain JSON)."""
        return {"topic": self.topic(), "text": self.text()}

    def restore_state(self, state: Any) -> None:
        """Restore :meth:`save_state` output; bad or oversized entries are ignored."""
        if not isinstance(state, dict):
            return
        if isinstance(state.get("topic"), str):
            self.set_topic(state["topic"])
        text = state.get("text")
        if isinstance(text, str) and len(text) <= DERIVATION_LIMITS["text characters"]:
            self.set_text(text)

    # -- display ------------------------------------------------------------------------------
    @Slot()
    def _on_topic(self, *_args: object) -> None:
        topic = DERIVATION_TOPICS[self.topic()]
        self.target_label.setText(f"Target: {topic.shown}")
        if self._runner.busy:
            self._runner.request_cancel()
            self.check_button.setEnabled(True)
        self._clear_marks()
        self.edited.emit()

    @Slot()
    def _on_text(self) -> None:
        if self._runner.busy:  # the running check is for a text that is gone
            self._runner.request_cancel()
            self.check_button.setEnabled(True)
        if self.result is not None or self._runner.busy:
            self._clear_marks()
        self.edited.emit()

    def _clear_marks(self) -> None:
        self.result = None
        self.marks.setRowCount(0)
        self.editor.setExtraSelections([])
        self.summary.setText("Press Check to mark each line against the one before.")

    def _show(self, result: DerivationResult) -> None:
        self.result = result
        self.marks.setRowCount(len(result.steps))
        selections = []
        noted = {f.step for f in result.findings if f.code == "dropped_sum_y"}
        for row, step in enumerate(result.steps):
            kind = "right" if step.ok else ("wrong" if step.readable else "unknown")
            if step.ok and row in noted:
                kind = "unknown"  # right, but uses an assumption it never states
            mark = QTableWidgetItem("✓" if step.ok else "✗" if step.readable else "?")
            mark.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            line = QTableWidgetItem(f"{step.line_number}: {step.text.strip()}")
            verdict = QTableWidgetItem(step.message)
            for item in (mark, line, verdict):
                item.setBackground(mark_background(kind, self.palette()))
                item.setToolTip(step.message)
            if not step.ok:
                font = mark.font()
                font.setBold(True)
                mark.setFont(font)
            self.marks.setItem(row, 0, mark)
            self.marks.setItem(row, 1, line)
            self.marks.setItem(row, 2, verdict)
            selections.append(self._line_tint(step.line_number, kind))
        self.marks.resizeRowsToContents()
        self.editor.setExtraSelections(selections)
        self.summary.setText(_summary_html(result))

    def _line_tint(self, line_number: int, kind: str) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        block = self.editor.document().findBlockByNumber(line_number - 1)
        selection.cursor = QTextCursor(block)
        selection.format.setBackground(mark_background(kind, self.palette()))
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        return selection


def _summary_html(result: DerivationResult) -> str:
    """The verdict in two or three sentences: first wrong step and its slip, target, notes."""
    parts = []
    if result.first_wrong is None:
        parts.append("<b>✓ Every step equals the one before.</b>")
    else:
        step = result.steps[result.first_wrong]
        parts.append(f"<b>✗ First wrong step: line {step.line_number}.</b>")
    if result.findings:
        first = result.findings[0]
        title = _TITLES.get(first.code, first.code.replace("_", " "))
        parts.append(f"Most likely: <i>{html.escape(title)}</i> — "
                     f"{html.escape(first.message)}")  # fmt: skip
    if result.reaches_target is not None:
        shown = DERIVATION_TOPICS[result.topic].shown if result.topic else result.target
        mark = "✓ reached" if result.reaches_target else "✗ not reached"
        parts.append(f"Target {html.escape(shown or '')}: <b>{mark}</b>.")
    others = [f for f in result.findings[1:] if f.code != "target_not_reached"]
    if others:
        listed = "; ".join(html.escape(f.message) for f in others[:3])
        parts.append(f"Also: {listed}")
    return "<br>".join(parts)
