"""Loss & regularisation tab: drive the controls like a user and check the numbers shown."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QSpinBox,
)

from engine import (
    cross_entropy_from_logits,
    cross_entropy_grad,
    gradient_descent,
    two_weight_problem,
)
from engine.loss.regression_data import generate_data
from engine.loss.ridge_report import polynomial_ridge_report
from gui.context import AppContext
from gui.loss_tab import LossTab
from gui.loss_tab.ridge_panel import lambda_from_position, position_from_lambda


@pytest.fixture
def tab(qtbot):
    page = LossTab(context=AppContext())
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    qtbot.waitExposed(page)
    yield page
    page.shutdown()
    page.close()


def find(tab, kind, name):
    widget = tab.findChild(kind, name)
    assert widget is not None, name
    return widget


def text(tab, name):
    return find(tab, QLabel, name).text()


def number_after(label_text: str, prefix: str) -> float:
    match = re.search(re.escape(prefix) + r"\s*([-+0-9.e]+)", label_text.replace("−", "-"))
    assert match, (prefix, label_text)
    return float(match.group(1))


# -- softmax ------------------------------------------------------------------------------------
def test_defaults_show_the_textbook_example(tab):
    assert text(tab, "lossLabel") == "Cross-entropy L = 0.417030"
    assert number_after(text(tab, "jacobianCheckLabel"), "=") < 1e-8
    assert number_after(text(tab, "gradientCheckLabel"), "=") < 1e-8
    np.testing.assert_allclose(
        tab.softmax_panel.jacobian_plot.values[0], [0.2247, -0.1598, -0.0650], atol=1e-4
    )


def test_moving_a_logit_slider_updates_spin_loss_and_gradient(tab, qtbot):
    slider = find(tab, QSlider, "logitSlider0")
    for position in range(200, 501, 50):  # a drag: many events, coalesced into few recomputes
        slider.setValue(position)
    expected = cross_entropy_from_logits([5.0, 1.0, 0.1], 0)
    qtbot.waitUntil(lambda: text(tab, "lossLabel") == f"Cross-entropy L = {expected:.6f}")
    assert find(tab, QDoubleSpinBox, "logitSpin0").value() == 5.0
    grad = cross_entropy_grad([5.0, 1.0, 0.1], 0)
    assert text(tab, "gradientLabel").startswith(f"∂L/∂z = [{grad[0]:.3g}".replace("-", "−"))


def test_typing_an_extreme_logit_stays_finite(tab, qtbot):
    spin = find(tab, QDoubleSpinBox, "logitSpin2")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "1000")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    expected = cross_entropy_from_logits([2.0, 1.0, 1000.0], 0)  # ≈ 998, not inf
    qtbot.waitUntil(lambda: text(tab, "lossLabel") == f"Cross-entropy L = {expected:.6f}")
    assert find(tab, QSlider, "logitSlider2").value() == 1000  # clamped at the slider end
    assert number_after(text(tab, "jacobianCheckLabel"), "=") < 1e-6
    assert "nan" not in tab.softmax_panel.derivation.toPlainText().lower()


def test_class_count_and_soft_labels(tab, qtbot):
    find(tab, QSpinBox, "classCount").setValue(5)
    qtbot.waitUntil(lambda: tab.softmax_panel.jacobian_plot.values.shape == (5, 5))
    assert find(tab, QSpinBox, "targetClass").maximum() == 4  # classes 0 … 4
    qtbot.mouseClick(find(tab, QRadioButton, "targetSoftRadio"), Qt.MouseButton.LeftButton)
    edit = find(tab, QLineEdit, "softLabels")
    edit.clear()
    qtbot.keyClicks(edit, "0.1, 0.2, 0.3, 0.4, 0")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    z = tab.softmax_panel.editor.logits()
    y = [0.1, 0.2, 0.3, 0.4, 0.0]
    expected = cross_entropy_from_logits(z, y)
    qtbot.waitUntil(lambda: text(tab, "lossLabel") == f"Cross-entropy L = {expected:.6f}")
    error = find(tab, QLabel, "targetError")
    assert error.isHidden()

    edit.clear()
    qtbot.keyClicks(edit, "0.5, 0.6, 0, 0, 0")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert error.isVisible() and "sum to 1" in error.text() and "1.1" in error.text()
    tab.softmax_panel.flush()
    assert text(tab, "lossLabel") == f"Cross-entropy L = {expected:.6f}"  # last good target kept
    np.testing.assert_array_equal(tab.softmax_panel.target(), y)

    edit.clear()
    qtbot.keyClicks(edit, "0.5, abc")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "entry 2: 'abc' is not a number" in error.text()


def test_class_index_target_and_temperature(tab, qtbot):
    find(tab, QSpinBox, "targetClass").setValue(2)  # counted from 0: the third class
    find(tab, QDoubleSpinBox, "temperature").setValue(2.0)
    expected = cross_entropy_from_logits([2.0, 1.0, 0.1], 2, temperature=2.0)
    qtbot.waitUntil(lambda: text(tab, "lossLabel") == f"Cross-entropy L = {expected:.6f}")
    assert number_after(text(tab, "gradientCheckLabel"), "=") < 1e-8
    assert "T = 2" in tab.softmax_panel.derivation.toPlainText()


def test_classes_and_logits_count_from_0_everywhere(tab, qtbot):
    """One convention: the tables, worksheets, the Train tab's digits and numpy count from 0."""
    panel = tab.softmax_panel
    spin = find(tab, QSpinBox, "targetClass")
    assert (spin.minimum(), spin.maximum()) == (0, 2)
    assert "from 0" in find(tab, QRadioButton, "targetIndexRadio").text()
    labels = [
        w.text()
        for w in panel.editor.findChildren(QLabel)
        if "z<sub>" in w.text() and not w.isHidden()
    ]
    assert labels == ["z<sub>0</sub>", "z<sub>1</sub>", "z<sub>2</sub>"]
    spin.setValue(0)
    panel.flush()
    np.testing.assert_array_equal(panel.target(), [1, 0, 0])  # class 0 is the first
    ticks = panel.probability_plot.plot_item.getAxis("bottom")._tickLevels
    assert [label for _pos, label in ticks[0]] == ["0", "1", "2"]
    jacobian = panel.jacobian_plot.widget.getPlotItem()
    assert [t for _p, t in jacobian.getAxis("left")._tickLevels[0]] == ["ŷ0", "ŷ1", "ŷ2"]
    find(tab, QSpinBox, "sweepIndex").setValue(2)
    panel.flush()
    assert "z<sub>2</sub> is swept" in panel.sweep_plot.widget.getPlotItem().titleLabel.text
    assert "For i = 0:" in panel.derivation.toPlainText()
    assert "row 0 sums to" in panel.derivation.toPlainText()


def test_an_exercises_class_number_is_the_one_the_spin_box_shows(tab):
    from engine.tutor import new_exercise

    seed = next(s for s in range(100) if new_exercise("cross_entropy_grad", s, 1).inputs["y"] == 2)
    exercise = new_exercise("cross_entropy_grad", seed, 1)
    assert "the true class is 2 (0-based)" in exercise.question
    tab.tutor.softmax_check.set_target("gradient")
    tab.tutor.softmax_check.load_exercise("cross_entropy_grad", seed, 1)
    assert find(tab, QSpinBox, "targetClass").value() == 2
    assert tab.softmax_panel.target().tolist()[2] == 1


def test_sweep_curve_follows_the_chosen_logit(tab, qtbot):
    find(tab, QSpinBox, "sweepIndex").setValue(1)  # z1, the second logit
    tab.softmax_panel.flush()
    x, losses = tab.softmax_panel.sweep_plot.loss_curve.getData()
    assert x[0] == pytest.approx(1.0 - 10) and x[-1] == pytest.approx(1.0 + 10)
    zz = np.array([2.0, x[0], 0.1])
    assert losses[0] == pytest.approx(cross_entropy_from_logits(zz, 0))


# -- ridge --------------------------------------------------------------------------------------
def _report(tab):
    state = tab.ridge_panel.save_state()
    data = generate_data(
        state["n_train"], state["n_val"], state["noise"], state["function"], seed=state["seed"]
    )
    return polynomial_ridge_report(data, state["degree"], tab.ridge_panel.lam(), true_key="sine2")


def test_lambda_slider_refits_and_shows_errors(tab, qtbot):
    tab.sections.setCurrentWidget(tab.ridge_panel)
    slider = find(tab, QSlider, "lambdaSlider")
    slider.setValue(position_from_lambda(1e-1))
    qtbot.waitUntil(lambda: text(tab, "lambdaLabel").startswith("λ = 0.1 "))
    tab.ridge_panel.flush()
    report = _report(tab)
    shown = text(tab, "ridgeErrors")
    assert number_after(shown, "train MSE =") == pytest.approx(report.train_mse, rel=1e-3)
    assert number_after(shown, "validation MSE =") == pytest.approx(report.val_mse, rel=1e-3)
    _, fit = tab.ridge_panel.fit_plot.fit.getData()
    np.testing.assert_allclose(fit, report.curve_fit)
    # λ = 0 box: the unregularised fit
    qtbot.mouseClick(find(tab, QCheckBox, "lambdaZero"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: text(tab, "lambdaLabel").startswith("λ = 0 "))
    assert not slider.isEnabled()


def test_more_features_than_samples_at_lambda_zero_warns(tab, qtbot):
    tab.sections.setCurrentWidget(tab.ridge_panel)
    find(tab, QSpinBox, "nTrain").setValue(5)
    find(tab, QSpinBox, "polyDegree").setValue(9)
    find(tab, QCheckBox, "lambdaZero").setChecked(True)
    warning = find(tab, QLabel, "ridgeWarning")
    qtbot.waitUntil(warning.isVisible)
    assert "more features (10) than samples (5)" in warning.text()
    assert "minimum-norm" in warning.text()
    find(tab, QCheckBox, "lambdaZero").setChecked(False)
    qtbot.waitUntil(lambda: not warning.isVisible())


def test_csv_loading_errors_keep_the_data(tab, qtbot, tmp_path):
    tab.sections.setCurrentWidget(tab.ridge_panel)
    before = tab.ridge_panel.report.train_mse
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n0,1\n1,oops\n", encoding="utf-8")
    assert not tab.ridge_panel.load_csv(bad)
    error = find(tab, QLabel, "csvError")
    assert error.isVisible() and "line 3, column 2: 'oops' is not a number" in error.text()
    tab.ridge_panel.flush()
    assert tab.ridge_panel.report.train_mse == before
    assert not find(tab, QRadioButton, "dataCsvRadio").isChecked()

    good = tmp_path / "good.csv"
    xs = np.linspace(0, 10, 25)
    good.write_text("x,y\n" + "".join(f"{a},{2 * a + 1}\n" for a in xs), encoding="utf-8")
    assert tab.ridge_panel.load_csv(good)
    assert error.isHidden()
    assert find(tab, QRadioButton, "dataCsvRadio").isChecked()
    assert text(tab, "csvPathLabel") == "good.csv: 25 rows"
    find(tab, QSpinBox, "polyDegree").setValue(1)
    find(tab, QCheckBox, "lambdaZero").setChecked(True)
    tab.ridge_panel.flush()
    assert tab.ridge_panel.report.train_mse == pytest.approx(0.0, abs=1e-20)  # exact line
    assert tab.ridge_panel.fit_plot.true.getData()[0] is None  # no "true function" for CSV data
    state = json.loads(json.dumps(tab.save_state()))
    assert state["ridge"]["source"] == "csv" and state["ridge"]["csv_path"] == str(good)


def test_lambda_slider_scale():
    assert lambda_from_position(0) == pytest.approx(1e-8)
    assert lambda_from_position(100) == pytest.approx(1e2)
    assert position_from_lambda(1e-3) == 50


# -- gradient descent ---------------------------------------------------------------------------
def test_run_gradient_descent_to_the_closed_form(tab, qtbot):
    tab.sections.setCurrentWidget(tab.descent_panel)
    find(tab, QDoubleSpinBox, "learningRate").setValue(0.4)
    find(tab, QSpinBox, "descentSteps").setValue(60)
    tab.descent_panel.flush()
    assert text(tab, "descentIterationLabel") == "step 0 / 60"
    with qtbot.waitSignal(tab.descent_panel.finished, timeout=15_000):
        qtbot.mouseClick(find(tab, QPushButton, "runDescentButton"), Qt.MouseButton.LeftButton)
    assert text(tab, "descentIterationLabel") == "step 60 / 60"
    assert text(tab, "descentStatus") == "Converged to the closed-form point w*."
    assert not tab.descent_panel.is_running()
    X, y, _ = two_weight_problem(40, correlation=0.8, noise=0.3, seed=0)
    path = gradient_descent(X, y, 0.3, w0=[-2.0, 3.0], learning_rate=0.4, steps=60)
    assert number_after(text(tab, "descentDistanceLabel"), "‖w_k - w*‖ =") == pytest.approx(
        path.final_distance, rel=1e-2
    )
    xs, _ = tab.descent_panel.loss_plot.curve.getData()
    assert xs.size == 61
    assert find(tab, QPushButton, "runDescentButton").text() == "Run"


def test_too_large_learning_rate_warns_and_diverges(tab, qtbot):
    tab.sections.setCurrentWidget(tab.descent_panel)
    find(tab, QDoubleSpinBox, "learningRate").setValue(2.0)
    tab.descent_panel.flush()
    warning = find(tab, QLabel, "learningRateWarning")
    assert warning.isVisible() and "diverge" in warning.text()
    qtbot.mouseClick(find(tab, QPushButton, "finishDescentButton"), Qt.MouseButton.LeftButton)
    assert text(tab, "descentStatus").startswith("Diverged after")


def test_step_and_reset_buttons_and_deactivate_stops_the_timer(tab, qtbot):
    qtbot.mouseClick(find(tab, QPushButton, "stepDescentButton"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(find(tab, QPushButton, "stepDescentButton"), Qt.MouseButton.LeftButton)
    assert text(tab, "descentIterationLabel") == "step 2 / 100"
    qtbot.mouseClick(find(tab, QPushButton, "runDescentButton"), Qt.MouseButton.LeftButton)
    assert tab.descent_panel.is_running()
    tab.deactivate()
    assert not tab.descent_panel.is_running()
    qtbot.mouseClick(find(tab, QPushButton, "resetDescentButton"), Qt.MouseButton.LeftButton)
    assert text(tab, "descentIterationLabel") == "step 0 / 100"


# -- state --------------------------------------------------------------------------------------
def test_state_round_trip_through_json(tab, qtbot):
    with qtbot.waitSignal(tab.state_changed, timeout=2000):
        find(tab, QDoubleSpinBox, "logitSpin1").setValue(-3.5)
    find(tab, QSpinBox, "targetClass").setValue(1)
    find(tab, QDoubleSpinBox, "temperature").setValue(0.5)
    find(tab, QSpinBox, "polyDegree").setValue(4)
    find(tab, QSlider, "lambdaSlider").setValue(position_from_lambda(1e-2))
    find(tab, QDoubleSpinBox, "descentLambda").setValue(1.25)
    find(tab, QSpinBox, "descentSteps").setValue(42)
    tab.sections.setCurrentIndex(1)
    state = json.loads(json.dumps(tab.save_state()))
    other = LossTab(context=AppContext())
    qtbot.addWidget(other)
    try:
        other.restore_state(state)
        assert other.save_state() == state
        other.softmax_panel.flush()
        expected = cross_entropy_from_logits([2.0, -3.5, 0.1], 1, temperature=0.5)
        assert other.findChild(QLabel, "lossLabel").text() == f"Cross-entropy L = {expected:.6f}"
        assert other.sections.currentIndex() == 1
    finally:
        other.shutdown()


def test_restore_ignores_bad_entries(tab):
    before = tab.save_state()
    tab.restore_state({"softmax": {"logits": "x", "temperature": -1, "target_index": "a"}})
    tab.restore_state({"ridge": 5, "descent": {"steps": float("nan"), "start": [1]}})
    tab.restore_state({"ridge": {"source": "csv", "csv_path": "/no/such/file.csv"}})
    tab.restore_state("not a dict")  # type: ignore[arg-type]
    after = tab.save_state()
    assert after["softmax"] == before["softmax"]
    assert after["descent"] == before["descent"]
    assert after["ridge"]["source"] == "generated"


def test_tab_in_main_window(main_window, qtbot):
    main_window.show_tab("loss")
    page = main_window.page("loss")
    assert isinstance(page, LossTab)
    qtbot.waitUntil(page.isVisible)
    assert page.findChild(QLabel, "lossLabel").text() == "Cross-entropy L = 0.417030"
    # The Edit menu's Undo acts on this tab's stack.
    from PySide6.QtGui import QAction

    undo = main_window.findChild(QAction, "actionUndo")
    page.findChild(QDoubleSpinBox, "temperature").setValue(3.0)
    qtbot.waitUntil(undo.isEnabled)
    undo.trigger()
    assert page.findChild(QDoubleSpinBox, "temperature").value() == 1.0


def test_a_slider_drag_is_coalesced_into_one_recomputation(tab, qtbot):
    updates = []
    tab.softmax_panel.updated.connect(lambda: updates.append(1))
    slider = find(tab, QSlider, "logitSlider1")
    with qtbot.waitSignal(tab.softmax_panel.updated, timeout=2000):
        for position in range(0, 300, 10):
            slider.setValue(position)
    assert len(updates) == 1
    assert find(tab, QDoubleSpinBox, "logitSpin1").value() == 2.9


def test_soft_labels_follow_the_class_count(tab, qtbot):
    qtbot.mouseClick(find(tab, QRadioButton, "targetSoftRadio"), Qt.MouseButton.LeftButton)
    find(tab, QSpinBox, "classCount").setValue(4)
    assert find(tab, QLineEdit, "softLabels").text() == "0.7, 0.2, 0.1, 0"
    find(tab, QSpinBox, "classCount").setValue(2)
    edit_text = find(tab, QLineEdit, "softLabels").text()
    assert edit_text == "0.777778, 0.222222"  # dropped the tail and renormalised
    tab.softmax_panel.flush()
    np.testing.assert_allclose(tab.softmax_panel.target(), [0.7 / 0.9, 0.2 / 0.9], atol=1e-6)


def test_typing_lambda_exactly_and_bad_values(tab, qtbot):
    tab.sections.setCurrentWidget(tab.ridge_panel)
    edit = find(tab, QLineEdit, "lambdaEdit")
    error = find(tab, QLabel, "lambdaError")
    edit.clear()
    qtbot.keyClicks(edit, "0.05")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: text(tab, "lambdaLabel").startswith("λ = 0.05 "))
    assert tab.ridge_panel.lam() == 0.05  # exact, not the slider's nearest step
    assert find(tab, QSlider, "lambdaSlider").value() == position_from_lambda(0.05)
    for bad, message in (("-1", "λ must be ≥ 0"), ("abc", "'abc' is not a number")):
        edit.clear()
        qtbot.keyClicks(edit, bad)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert error.isVisible() and message in error.text() and "Keeping λ = 0.05" in error.text()
        assert tab.ridge_panel.lam() == 0.05
    edit.clear()
    qtbot.keyClicks(edit, "0")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert find(tab, QCheckBox, "lambdaZero").isChecked() and error.isHidden()
    qtbot.waitUntil(lambda: text(tab, "lambdaLabel").startswith("λ = 0 "))


def test_undo_and_redo_edits(tab, qtbot):
    stack = tab.undo_stack()
    assert not stack.canUndo()
    slider = find(tab, QSlider, "logitSlider1")
    for position in range(100, 400, 20):  # one drag = one undo step
        slider.setValue(position)
    qtbot.waitUntil(stack.canUndo)
    assert stack.count() == 1 and stack.undoText() == "change softmax settings"
    find(tab, QSpinBox, "polyDegree").setValue(3)
    qtbot.waitUntil(lambda: stack.count() == 2)
    assert stack.undoText() == "change ridge settings"
    stack.undo()
    assert find(tab, QSpinBox, "polyDegree").value() == 9
    assert find(tab, QDoubleSpinBox, "logitSpin1").value() == 3.8
    stack.undo()
    assert find(tab, QDoubleSpinBox, "logitSpin1").value() == 1.0
    assert find(tab, QSlider, "logitSlider1").value() == 100
    assert text(tab, "lossLabel") == "Cross-entropy L = 0.417030"
    stack.redo()
    assert find(tab, QDoubleSpinBox, "logitSpin1").value() == 3.8
    tab.restore_state(tab.save_state())
    assert not stack.canUndo()  # a restored session starts a fresh history


def test_temperature_slider_is_logarithmic_and_synced(tab, qtbot):
    slider = find(tab, QSlider, "temperatureSlider")
    spin = find(tab, QDoubleSpinBox, "temperature")
    assert slider.value() == 130  # T = 1 in the middle
    slider.setValue(230)  # one decade up
    assert spin.value() == 10.0
    expected = cross_entropy_from_logits([2.0, 1.0, 0.1], 0, temperature=10.0)
    qtbot.waitUntil(lambda: text(tab, "lossLabel") == f"Cross-entropy L = {expected:.6f}")
    spin.setValue(0.1)
    assert slider.value() == 30
