"""The "Check my answer" panel that every tab shares.

A tab describes what can be checked as :class:`CheckTarget` s (the convolution of a kernel, an
output size, a Jacobian …): how to check an answer against the tab's *current* inputs, a
one-line description of the problem, and how to load an exercise into the tab's inputs. The
panel reads the typed or pasted answer with :func:`engine.tutor.parse_answer`, marks each cell
(✓ right, ✗ wrong in bold, tinted), and lists the findings with the most likely slip first;
an arithmetic slip shows each wrong cell's sum of products with the user's and the right number.

In practice mode (:class:`gui.context.PracticeMode`, one switch for every panel) the panel says
the answer is hidden from a new exercise until the user checks an answer or presses "Show
answer" (:attr:`CheckAnswerPanel.answer_hidden`, ``answer_hidden_changed``); the tab's tutor
hides its result widgets meanwhile (:class:`gui.tutor.veil.Veil`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.matrix import MatrixParseError
from engine.text import format_cell
from engine.tutor import Diagnosis, Exercise, Finding, new_exercise, parse_answer
from gui.colours import set_tone, tone_label
from gui.context import PracticeMode
from gui.tutor.exercise_bar import ExerciseBar
from gui.tutor.marks import MarksView
from gui.tutor.tutor_state import read_bool, read_text

PLACEHOLDERS = {
    "matrix": "Type or paste your matrix: one row per line, numbers separated by spaces, tabs "
    "or commas (fractions like 1/3 work)",
    "vector": "Type or paste your vector, e.g. 0.018, −0.982, 0.965 (fractions like 2/17 work)",
    "number": "Your number",
}


@dataclass(frozen=True)
class CheckTarget:
    """One thing a tab's answer can be checked against.

    Attributes
    ----------
    key, label
        Stable name and what the target combo box shows ("Jacobian J").
    kind
        ``"matrix"``, ``"vector"`` or ``"number"`` (the answer box and whether cells are marked).
    topics
        Exercise topics (:data:`engine.tutor.TOPICS`) that load into this target's inputs.
    check
        ``check(answer)`` → :class:`engine.tutor.Diagnosis` against the tab's current inputs;
        raises ``ValueError`` with a sentence when the current inputs cannot be checked.
    describe
        One line on what is asked with the current inputs.
    load
        Sets the tab's inputs from an :class:`engine.tutor.Exercise` (undoably where the tab
        has undo).
    problem
        The numbers the check depends on beyond what ``describe`` says (e.g. the input's
        values), for telling when a verdict no longer fits the inputs; ``None`` if none.
    """

    key: str
    label: str
    kind: str
    topics: tuple[str, ...]
    check: Callable[[object], Diagnosis]
    describe: Callable[[], str]
    load: Callable[[Exercise], None]
    problem: Callable[[], object] | None = None


def findings_html(diagnosis: Diagnosis) -> str:
    """The findings as HTML: the most likely slip first and in bold, its evidence, and for an
    arithmetic slip each wrong cell's sum of products."""
    if diagnosis.correct:
        return (
            f"<p>Every entry is right ({html.escape(diagnosis.precision.describe())}).</p>"
            if np.ndim(diagnosis.expected)
            else f"<p>Right ({html.escape(diagnosis.precision.describe())}).</p>"
        )
    parts: list[str] = []
    for rank, finding in enumerate(diagnosis.findings):
        if rank == 0:
            parts.append(f"<p><b>Most likely: {html.escape(finding.message)}</b></p>")
            if len(finding.slips) > 1:  # one slip's work is already in the message
                parts.append(_slips_html(finding))
            if len(diagnosis.findings) > 1:
                parts.append("<p>Also possible:</p><ul>")
        else:
            parts.append(f"<li>{html.escape(finding.message)}</li>")
    if len(diagnosis.findings) > 1:
        parts.append("</ul>")
    return "".join(parts)


def _slips_html(finding: Finding) -> str:
    if not finding.slips:
        return ""
    rows = []
    for slip in finding.slips:
        r, c = slip.cell
        rows.append(
            f"<li>cell ({r}, {c}): you wrote <b>{html.escape(format_cell(slip.given))}</b>, "
            f"the right value is <b>{html.escape(format_cell(slip.expected))}</b>"
            + (f"<br><tt>{html.escape(slip.work)}</tt>" if slip.work else "")
            + "</li>"
        )
    return "<ul>" + "".join(rows) + "</ul>"


class CheckAnswerPanel(QWidget):
    """Type or paste an answer, check it against the tab's inputs, see marks and the slip.

    Signals
    -------
    message(str)
        A line for the status bar (the verdict, or the exercise that was loaded).
    checked(object)
        The :class:`engine.tutor.Diagnosis` of the last check.
    edited()
        The answer, the target, the exercise choice or practice mode changed (what
        :meth:`save_state` holds).
    answer_hidden_changed(bool)
        :attr:`answer_hidden` changed: the tab hides (``True``) or shows its results.

    ``practice`` is the shared practice-mode switch (the context's); without one the panel
    keeps a switch of its own.
    """

    message = Signal(str)
    checked = Signal(object)
    edited = Signal()
    answer_hidden_changed = Signal(bool)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        targets: list[CheckTarget],
        name: str,
        practice: PracticeMode | None = None,
    ) -> None:
        super().__init__(parent)
        if not targets:
            raise ValueError("targets must not be empty")
        self.setObjectName(name)
        self.targets = list(targets)
        self.diagnosis: Diagnosis | None = None
        self.exercise: Exercise | None = None
        self.practice = practice if practice is not None else PracticeMode(self)
        #: In practice mode: the user has checked an answer or pressed Show answer since the
        #: last new exercise (or since the mode was switched on).
        self.revealed = False
        self._hidden = False
        self._problem_at_load = ""
        self._problem_at_check = ""
        scalar = all(t.kind == "number" for t in targets)

        self.target_combo = QComboBox(self)
        self.target_combo.setObjectName(f"{name}Target")
        for target in targets:
            self.target_combo.addItem(target.label, target.key)
        self.target_combo.setVisible(len(targets) > 1)
        self.target_combo.currentIndexChanged.connect(self._on_target)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName(f"{name}Problem")
        self.problem_label.setWordWrap(True)
        self.practice_box = QCheckBox("Practice mode", self)
        self.practice_box.setObjectName(f"{name}Practice")
        self.practice_box.setToolTip(
            "Hide the results of the exercise in every tab until you check an answer or press "
            "Show answer (the same switch as View ▸ Practice mode)"
        )
        self.header = QHBoxLayout()
        self.header.setSpacing(6)
        self.header.addWidget(self.target_combo)
        self.header.addWidget(self.problem_label, 1)
        self.header.addWidget(self.practice_box, 0, Qt.AlignmentFlag.AlignTop)
        self.exercise_bar = ExerciseBar(self, name=f"{name}Exercise")
        self.exercise_bar.requested.connect(self.load_exercise)
        self.question_label = QLabel(self)
        self.question_label.setObjectName(f"{name}Question")
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tone_label(self.question_label, "note")
        self.question_label.hide()

        self.answer_edit: QLineEdit | QPlainTextEdit
        if scalar:
            self.answer_edit = QLineEdit(self)
            self.answer_edit.returnPressed.connect(self.check)
        else:
            self.answer_edit = QPlainTextEdit(self)
            self.answer_edit.setTabChangesFocus(True)
            self.answer_edit.setMinimumHeight(60)
            # Ctrl+Enter checks without leaving the keyboard (Enter starts a new row)
            for keys in ("Ctrl+Return", "Ctrl+Enter"):
                shortcut = QShortcut(QKeySequence(keys), self.answer_edit)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(self.check)
        self.answer_edit.setObjectName(f"{name}Answer")
        self.check_button = QPushButton("Check", self)
        self.check_button.setObjectName(f"{name}Check")
        self.check_button.setToolTip("Compare your answer with the right one and name the slip")
        self.check_button.clicked.connect(self.check)
        self.show_answer_button = QPushButton("Show answer", self)
        self.show_answer_button.setObjectName(f"{name}ShowAnswer")
        self.show_answer_button.setToolTip("Show the results that practice mode hides")
        self.show_answer_button.clicked.connect(self.show_answer)
        self.verdict = QLabel(self)
        self.verdict.setObjectName(f"{name}Verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)  # every text set is escaped
        tone_label(self.verdict, None)
        self.marks_view = MarksView(self, name=f"{name}Marks")
        self.marks_view.hide()
        self.findings = QTextBrowser(self)
        self.findings.setObjectName(f"{name}Findings")
        self.findings.setOpenLinks(False)

        answer_box = QVBoxLayout()
        answer_box.setSpacing(4)
        answer_label = QLabel("Your answer", self)
        answer_label.setBuddy(self.answer_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self.header)
        layout.addWidget(self.exercise_bar)
        layout.addWidget(self.question_label)
        if scalar:
            row = QHBoxLayout()
            row.addWidget(answer_label)
            row.addWidget(self.answer_edit, 1)
            row.addWidget(self.check_button)
            row.addWidget(self.show_answer_button)
            layout.addLayout(row)
            layout.addWidget(self.verdict)
            self.findings.setMaximumHeight(110)
            layout.addWidget(self.findings, 1)
        else:
            answer_box.addWidget(answer_label)
            answer_box.addWidget(self.answer_edit, 1)
            buttons = QHBoxLayout()
            buttons.addWidget(self.check_button)
            buttons.addWidget(self.show_answer_button)
            buttons.addStretch(1)
            answer_box.addLayout(buttons)
            result_box = QVBoxLayout()
            result_box.setSpacing(4)
            result_box.addWidget(self.verdict)
            result_box.addWidget(self.marks_view)
            result_box.addWidget(self.findings, 1)
            body = QHBoxLayout()
            body.addLayout(answer_box, 2)
            body.addLayout(result_box, 3)
            layout.addLayout(body, 1)
        self.answer_edit.setPlaceholderText(PLACEHOLDERS[targets[0].kind])
        self._on_target()
        bar = self.exercise_bar
        for signal in (
            self.answer_edit.textChanged,
            self.target_combo.currentIndexChanged,
            bar.topic.currentIndexChanged,
            bar.level.currentIndexChanged,
            bar.seed.valueChanged,
        ):
            signal.connect(self._on_edited)
        self.practice_box.toggled.connect(self.practice.set_enabled)
        self.practice.changed.connect(self._on_practice_changed)
        self._on_practice_changed(self.practice.enabled)

    # --- public ------------------------------------------------------------------------------
    @property
    def target(self) -> CheckTarget:
        """The target being checked."""
        return self.targets[max(self.target_combo.currentIndex(), 0)]

    def set_target(self, key: str) -> None:
        """Check against target ``key``."""
        index = self.target_combo.findData(key)
        if index < 0:
            raise ValueError(f"no check target {key!r}")
        self.target_combo.setCurrentIndex(index)

    def answer_text(self) -> str:
        """The answer as typed."""
        edit = self.answer_edit
        return edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()

    def set_answer_text(self, text: str) -> None:
        """Replace the typed answer (as a paste would)."""
        edit = self.answer_edit
        if isinstance(edit, QLineEdit):
            edit.setText(text)
        else:
            edit.setPlainText(text)

    @property
    def answer_hidden(self) -> bool:
        """Whether the tab's results are hidden now (practice mode on, answer not revealed)."""
        return self._hidden

    def show_answer(self) -> None:
        """Show the results practice mode hides (until the next new exercise)."""
        self.revealed = True
        self._update_hidden()
        if self.practice.enabled:
            self.message.emit("Answer shown: the results are in the tab again")
        self.edited.emit()

    def save_state(self) -> dict[str, object]:
        """The target, the typed answer, the exercise choice and practice mode: whether it is
        on and whether this panel's answer was revealed (plain JSON types)."""
        return {
            "target": self.target.key,
            "answer": self.answer_text(),
            "exercise": self.exercise_bar.save_state(),
            "practice": self.practice.enabled,
            "revealed": self.revealed,
        }

    def restore_state(self, state: object) -> None:
        """Restore :meth:`save_state` output; bad or unknown entries keep the current value.

        The answer is shown but not checked: the verdict stays empty until Check.
        """
        if not isinstance(state, dict):
            return
        target = state.get("target")
        if isinstance(target, str) and self.target_combo.findData(target) >= 0:
            self.set_target(target)  # first: a new target offers its own topics
        self.exercise_bar.restore_state(state.get("exercise"))
        answer = read_text(state.get("answer"))
        if answer is not None:
            self.set_answer_text(answer)
        self.exercise = None
        self.question_label.hide()
        self._clear_result("")
        self.problem_label.setText(self._describe())
        practice = read_bool(state.get("practice"))
        if practice is not None:
            self.practice.set_enabled(practice)  # before "revealed": switching on hides
        revealed = read_bool(state.get("revealed"))
        self.revealed = bool(revealed)
        self._update_hidden()

    def refresh(self) -> None:
        """Re-describe the problem after the tab's inputs changed; an earlier verdict or
        exercise question that no longer fits the inputs is cleared."""
        self.problem_label.setText(self._describe())
        problem = self._problem_key()
        if self.exercise is not None and problem != self._problem_at_load:
            self.exercise = None
            self.question_label.hide()
        if self.diagnosis is not None and problem != self._problem_at_check:
            self._clear_result("The inputs changed: press Check again.")

    def check(self) -> Diagnosis | None:
        """Check the typed answer against the current inputs and show the verdict."""
        text = self.answer_text().strip()
        if not text:
            self._show_problem("Type or paste your answer first.")
            return None
        try:
            answer = parse_answer(text)
        except (MatrixParseError, ValueError) as exc:
            self._show_problem(f"Cannot read your answer: {exc}")
            return None
        try:
            diagnosis = self.target.check(answer)
        except ValueError as exc:
            self._show_problem(f"Cannot check with the current inputs: {exc}")
            return None
        self._problem_at_check = self._problem_key()
        self.problem_label.setText(self._describe())
        self._show(diagnosis)
        if not self.revealed:  # a checked answer, right or wrong, shows the results
            self.revealed = True
            self._update_hidden()
            self.edited.emit()
        self.checked.emit(diagnosis)
        return diagnosis

    def load_exercise(self, topic: str, seed: int, difficulty: int) -> Exercise:
        """Load exercise ``(topic, seed, difficulty)`` into the tab's inputs and show it."""
        if topic not in self.target.topics:
            raise ValueError(f"topic {topic!r} does not load into {self.target.label}")
        exercise = new_exercise(topic, seed, difficulty)
        self.target.load(exercise)
        self.exercise = exercise
        self.exercise_bar.set_choice(topic, difficulty)
        self.exercise_bar.seed.setValue(seed)
        self._problem_at_load = self._problem_key()
        self.problem_label.setText(self._describe())
        self.question_label.setText(
            f"Exercise (seed {seed}, level {difficulty}): {exercise.question}"
        )
        self.question_label.show()
        self.set_answer_text("")
        self._clear_result("")
        self.revealed = False  # practice mode hides the new exercise's results
        self._update_hidden()
        self.message.emit(f"Loaded exercise: {exercise.title}, seed {seed}, level {difficulty}")
        return exercise

    # --- private -----------------------------------------------------------------------------
    def _on_edited(self, *_args) -> None:
        self.edited.emit()

    def _on_practice_changed(self, enabled: bool) -> None:
        blocked = self.practice_box.blockSignals(True)
        self.practice_box.setChecked(enabled)
        self.practice_box.blockSignals(blocked)
        self.revealed = False  # switched on: hidden until checked; off: nothing is hidden
        self._update_hidden()
        self.edited.emit()

    def _update_hidden(self) -> None:
        hidden = self.practice.enabled and not self.revealed
        self.show_answer_button.setVisible(hidden)
        if hidden != self._hidden:
            self._hidden = hidden
            self.answer_hidden_changed.emit(hidden)

    def _describe(self) -> str:
        try:
            return self.target.describe()
        except ValueError as exc:
            return str(exc)

    def _problem_key(self) -> str:
        """The description plus the numbers behind it: when it changes, a verdict is stale."""
        key = self._describe()
        if self.target.problem is not None:
            try:
                key += "\n" + repr(self.target.problem())
            except ValueError:
                pass
        return key

    def _on_target(self, *_args) -> None:
        target = self.target
        self.exercise_bar.set_topics(target.topics)
        self.answer_edit.setPlaceholderText(PLACEHOLDERS[target.kind])
        self.exercise = None
        self.question_label.hide()
        self._clear_result("")
        self.problem_label.setText(self._describe())

    def _clear_result(self, note: str) -> None:
        self.diagnosis = None
        self.verdict.setText(html.escape(note))
        set_tone(self.verdict, "hint" if note else None)
        self.marks_view.marks.clear()
        self.marks_view.hide()
        self.findings.clear()

    def _show_problem(self, text: str) -> None:
        self._clear_result(text)
        set_tone(self.verdict, "error")
        self.message.emit(text)

    def _show(self, diagnosis: Diagnosis) -> None:
        self.diagnosis = diagnosis
        answer, expected = diagnosis.answer, diagnosis.expected
        if diagnosis.correct:
            head = "✓ Right"
        elif diagnosis.wrong_cells:
            total = int(np.size(expected))
            head = f"✗ Not right: {len(diagnosis.wrong_cells)} of {total} entries are wrong"
        else:
            head = "✗ Not right"
        if self.target.kind == "number":
            head += f" — you wrote {format_cell(answer)}"
        self.verdict.setText(f"<b>{html.escape(head)}</b>")
        set_tone(self.verdict, "note" if diagnosis.correct else "error")
        if self.target.kind != "number" and np.ndim(answer) > 0:
            marks: dict[tuple[int, int], str] = {}
            if np.shape(answer) == np.shape(expected):
                shape = np.atleast_2d(np.asarray(answer)).shape
                wrong = set(diagnosis.wrong_cells)
                marks = {
                    (r, c): "wrong" if (r, c) in wrong else "right"
                    for r in range(shape[0])
                    for c in range(shape[1])
                }
            tips = {
                slip.cell: f"you wrote {format_cell(slip.given)}; {slip.work}"
                for finding in diagnosis.findings
                for slip in finding.slips
                if slip.work
            }
            self.marks_view.marks.set_values(answer, marks, tips)
            self.marks_view.show()
        else:
            self.marks_view.hide()
        self.findings.setHtml(findings_html(diagnosis))
        self.message.emit(diagnosis.summary)
