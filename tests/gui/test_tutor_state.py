"""The tutor panels' state in sessions: typed answers, topic, level, seed and the Which-input boxes
survive save_state → a fresh tab → restore_state; damaged or missing tutor state keeps defaults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.context import AppContext
from gui.layers_tab import LayersTab
from gui.loss_tab.loss_page import LossTab
from gui.matrix_tab import MatrixTab
from gui.tutor.exercise_bar import MAX_SEED
from gui.tutor.tutor_state import MAX_TEXT_CHARS

TABS = {"matrix": MatrixTab, "layers": LayersTab, "loss": LossTab}


@contextmanager
def shown(qtbot, key: str) -> Iterator:
    """A real tab of kind ``key`` at 1100 × 750, shown and exposed; shut down after."""
    page = TABS[key](None, context=AppContext())
    qtbot.addWidget(page)
    page.resize(1100, 750)
    page.show()
    qtbot.waitExposed(page)
    yield page
    page.shutdown()
    page.close()


def round_trip(state: dict) -> dict:
    """What a session file gives back (plain JSON types only, or this raises)."""
    return json.loads(json.dumps(state, allow_nan=False))


def pick(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def type_seed(qtbot, spin, value: int) -> None:
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, str(value))
    qtbot.keyClick(spin, Qt.Key.Key_Tab)
    assert spin.value() == value


def type_answer(qtbot, panel, lines: list[str]) -> None:
    panel.answer_edit.setFocus()
    for i, line in enumerate(lines):
        if i:
            qtbot.keyClick(panel.answer_edit, Qt.Key.Key_Return)  # a new row (Ctrl+Enter checks)
        qtbot.keyClicks(panel.answer_edit, line)


def assert_unchecked(panel) -> None:
    """A restored answer is shown, not checked: no verdict, marks or findings."""
    assert panel.diagnosis is None
    assert panel.verdict.text() == ""
    assert panel.findings.toPlainText() == ""
    assert not panel.marks_view.isVisible()
    assert not panel.question_label.isVisible()


def test_matrix_check_answer_and_which_input_survive_a_restart(qtbot):
    with shown(qtbot, "matrix") as tab:
        tutor = tab.tutor
        panel, bar = tutor.check_panel, tutor.check_panel.exercise_bar
        tab.bottom.setCurrentWidget(panel)
        tutor.kernel_combo.setCurrentIndex(2)
        pick(bar.topic, "convolution_stride")
        pick(bar.level, 3)
        type_seed(qtbot, bar.seed, 4242)
        with qtbot.waitSignal(tab.state_changed, timeout=5000):  # typing is autosaved
            type_answer(qtbot, panel, ["1 2 3", "4 5 6"])
        tab.bottom.setCurrentWidget(tutor.which_input)
        tutor.which_input.set_output_text(1, "7\t8\n9\t10")  # as a paste does
        tutor.which_input.uses[0].setChecked(False)
        state = round_trip(tab.save_state())
    with shown(qtbot, "matrix") as fresh:
        fresh.restore_state(state)
        tutor = fresh.tutor
        panel, bar = tutor.check_panel, tutor.check_panel.exercise_bar
        fresh.bottom.setCurrentWidget(panel)
        assert panel.answer_text() == "1 2 3\n4 5 6"
        assert (bar.topic.currentData(), bar.level.currentData(), bar.seed.value()) == (
            "convolution_stride",
            3,
            4242,
        )
        assert tutor.kernel_index() == 2
        assert_unchecked(panel)
        texts = [edit.toPlainText() for edit in tutor.which_input.edits]
        assert texts == ["", "7\t8\n9\t10", ""]
        assert [use.isChecked() for use in tutor.which_input.uses] == [False, True, False]
        assert tutor.which_input.solution is None
        with qtbot.waitSignal(panel.checked, timeout=5000):  # and Check still works on it
            qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
        assert panel.verdict.text().startswith("<b>✗ Not right")


def test_layers_check_answer_survives_a_restart(qtbot):
    with shown(qtbot, "layers") as tab:
        panel, bar = tab.tutor.check_panel, tab.tutor.check_panel.exercise_bar
        panel.set_target("param_count")
        pick(bar.level, 2)
        type_seed(qtbot, bar.seed, 77)
        with qtbot.waitSignal(tab.state_changed, timeout=5000):
            type_answer(qtbot, panel, ["1234"])
        state = round_trip(tab.save_state())
    with shown(qtbot, "layers") as fresh:
        fresh.restore_state(state)
        panel, bar = fresh.tutor.check_panel, fresh.tutor.check_panel.exercise_bar
        assert panel.target.key == "param_count"
        assert panel.answer_text() == "1234"
        assert (bar.topic.currentData(), bar.level.currentData(), bar.seed.value()) == (
            "param_count",
            2,
            77,
        )
        assert_unchecked(panel)


def test_loss_check_answers_survive_a_restart_and_are_not_undo_steps(qtbot):
    with shown(qtbot, "loss") as tab:
        soft, ridge = tab.tutor.softmax_check, tab.tutor.ridge_check
        tab.softmax_panel.views.setCurrentWidget(soft)
        soft.set_target("gradient")
        pick(soft.exercise_bar.level, 3)
        type_seed(qtbot, soft.exercise_bar.seed, 9)
        type_answer(qtbot, soft, ["0.1, -0.2, 0.1"])
        tab.sections.setCurrentWidget(tab.ridge_panel)
        tab.ridge_panel.views.setCurrentWidget(ridge)
        type_answer(qtbot, ridge, ["0.5, 1/3"])
        assert tab.undo_stack().count() == 0  # an answer is not a setting to undo
        state = round_trip(tab.save_state())
    with shown(qtbot, "loss") as fresh:
        fresh.restore_state(state)
        soft, ridge = fresh.tutor.softmax_check, fresh.tutor.ridge_check
        assert soft.target.key == "gradient"
        assert soft.answer_text() == "0.1, -0.2, 0.1"
        assert soft.exercise_bar.topic.currentData() == "cross_entropy_grad"
        assert (soft.exercise_bar.level.currentData(), soft.exercise_bar.seed.value()) == (3, 9)
        assert ridge.answer_text() == "0.5, 1/3"
        for panel in (soft, ridge):
            assert_unchecked(panel)


HUGE = "9" * (MAX_TEXT_CHARS + 1)
TEN_MB = "1 " * 5_000_000


def bad_check(target: object) -> list[object]:
    return [
        {
            "target": target,
            "answer": TEN_MB,
            "exercise": {"topic": "no_such_topic", "level": 10**40, "seed": -5},
        },
        {
            "target": ["x"],
            "answer": ["1 2"],
            "exercise": {"topic": ["output_size"], "level": True, "seed": 2**70},
        },
        {"answer": HUGE, "exercise": {"level": "2", "seed": 3.0}},
        {"answer": None, "exercise": [1, 2, 3]},
        {"exercise": {"seed": MAX_SEED + 1, "level": 0}},
        "garbage",
        17,
    ]


BAD_TUTOR = {
    "matrix": [
        *({"kernel": 10**30, "check": check} for check in bad_check("no_target")),
        {
            "kernel": -1,
            "which_input": {"outputs": ["a", {"text": 5, "use": "yes"}, {"text": TEN_MB}]},
        },
        {"kernel": 1.0, "which_input": {"outputs": {"0": "1"}}},
        {"which_input": {"outputs": [None, [], {"text": HUGE, "use": 1}]}},
    ],
    "layers": [{"check": check} for check in bad_check(1.5)],
    "loss": [{"softmax": check, "ridge": check} for check in bad_check("jacobian ")],
}


@pytest.mark.parametrize("key", sorted(TABS))
def test_damaged_tutor_state_restores_without_error_and_keeps_defaults(qtbot, key):
    with shown(qtbot, key) as tab:
        defaults = tab.save_state()
        for bad in [*BAD_TUTOR[key], None, "junk", 5, [], {"check": {}, "softmax": []}]:
            tab.restore_state({**defaults, "tutor": bad})
            assert tab.save_state() == defaults, bad


@pytest.mark.parametrize("key", sorted(TABS))
def test_an_old_session_without_tutor_state_restores_as_before(qtbot, key):
    with shown(qtbot, key) as tab:
        defaults = tab.tutor.save_state()
        if key == "matrix":
            tab.input_model.push_values(np.arange(16).reshape(4, 4), "test input")
        elif key == "layers":
            tab.single.spins["filters"].setValue(7)
        else:
            tab.ridge_panel.degree_spin.setValue(3)
        old = tab.save_state()
        del old["tutor"]
    with shown(qtbot, key) as fresh:
        fresh.restore_state(old)
        restored = fresh.save_state()
        assert restored.pop("tutor") == defaults
        assert restored == old
