"""The Loss tab's tutor adapter: check a softmax Jacobian or a cross-entropy gradient (softmax
panel) and a ridge weight vector (ridge panel).

The generic panels come from :mod:`gui.tutor`; the tab is seen as a :class:`LossTutorHost` (the
shared :class:`~gui.services.TutorHost` and its two panels), so the page imports this module and
this module never imports the page.

Exercises load through each panel's ``restore_state`` and then announce an ordinary edit
(``edited``), so the tab's undo records them as one step. The ridge panel fits polynomials on
generated or loaded data, which cannot hold an exercise's small ``X``: a ridge exercise keeps its
``X`` and ``y`` here and sets the panel's λ; changing the panel's data or degree leaves it.

In practice mode the softmax panel's plots, numbers and derivation, and the ridge panel's
weights, errors, coefficient path and derivation, are covered until that panel's answer is
checked or shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget, QWidget

from engine.text import format_number, format_vector
from engine.tutor import (
    Diagnosis,
    Exercise,
    diagnose_cross_entropy_grad,
    diagnose_ridge,
    diagnose_softmax_jacobian,
)
from gui.services import TutorHost, as_widget
from gui.tutor import CheckAnswerPanel, CheckTarget, Veil, join_tab

if TYPE_CHECKING:
    from gui.loss_tab.ridge_panel import RidgePanel
    from gui.loss_tab.softmax_panel import SoftmaxPanel


class LossTutorHost(TutorHost, Protocol):
    """What the Loss tutor reads and sets of its tab (:class:`gui.loss_tab.loss_page.LossTab`)."""

    softmax_panel: SoftmaxPanel
    ridge_panel: RidgePanel


class LossTutor(QObject):
    """ "Check my answer" sub-tabs beside the softmax and ridge panels' views."""

    def __init__(self, tab: LossTutorHost) -> None:
        super().__init__(as_widget(tab))
        context = tab.context
        self.tab = tab
        self.softmax = tab.softmax_panel
        self.ridge = tab.ridge_panel
        #: The loaded ridge exercise whose X and y are checked against (None: the panel's data).
        self.ridge_exercise: Exercise | None = None
        self.softmax_check = CheckAnswerPanel(
            self.softmax,
            targets=[
                CheckTarget(
                    key="jacobian",
                    label="Jacobian J = ∂ŷ/∂z",
                    kind="matrix",
                    topics=("softmax_jacobian",),
                    check=self.check_jacobian,
                    describe=lambda: self._describe_softmax("the Jacobian Jᵢⱼ = ∂ŷᵢ/∂zⱼ"),
                    load=self.load_softmax,
                ),
                CheckTarget(
                    key="gradient",
                    label="Gradient ∂L/∂z",
                    kind="vector",
                    topics=("cross_entropy_grad",),
                    check=self.check_gradient,
                    describe=self._describe_gradient,
                    load=self.load_softmax,
                ),
            ],
            name="softmaxCheck",
            practice=context.practice,
        )
        self.ridge_check = CheckAnswerPanel(
            self.ridge,
            targets=[
                CheckTarget(
                    key="ridge",
                    label="Weights w",
                    kind="vector",
                    topics=("ridge",),
                    check=self.check_ridge,
                    describe=self.describe_ridge,
                    load=self.load_ridge,
                    problem=lambda: [a.tolist() for a in self._ridge_problem()[:2]],
                )
            ],
            name="ridgeCheck",
            practice=context.practice,
        )
        join_tab(tab, self.softmax_check, self.ridge_check)
        self.softmax.views.addTab(self.softmax_check, "Check my answer")
        self.ridge.views.addTab(self.ridge_check, "Check my answer")
        self.softmax.updated.connect(self.softmax_check.refresh)
        self.ridge.updated.connect(self.ridge_check.refresh)
        self.ridge.data_box.data_changed.connect(self._leave_ridge_exercise)
        self.ridge.degree_spin.valueChanged.connect(self._leave_ridge_exercise)
        softmax, ridge = self.softmax, self.ridge
        self.softmax_veil = Veil(self, name="softmaxPractice")
        self.softmax_veil.cover(_page_of(softmax.views, softmax.probability_plot.widget))
        self.softmax_veil.cover(softmax.derivation)
        self.softmax_veil.cover(softmax.loss_label.parentWidget())  # the "Numbers" box
        self.softmax_check.answer_hidden_changed.connect(self.softmax_veil.set_down)
        self.ridge_veil = Veil(self, name="ridgePractice")
        self.ridge_veil.cover(ridge.weights_label)
        self.ridge_veil.cover(ridge.error_label, None)
        self.ridge_veil.cover(ridge.coefficient_plot.widget)
        self.ridge_veil.cover(ridge.derivation)
        self.ridge_check.answer_hidden_changed.connect(self.ridge_veil.set_down)

    def save_state(self) -> dict[str, object]:
        """Both check panels' targets, answers and exercise choices (plain JSON)."""
        return {"softmax": self.softmax_check.save_state(), "ridge": self.ridge_check.save_state()}

    def restore_state(self, state: object) -> None:
        """Restore :meth:`save_state` output; bad entries are skipped."""
        if isinstance(state, dict):
            self.softmax_check.restore_state(state.get("softmax"))
            self.ridge_check.restore_state(state.get("ridge"))

    # --- softmax ------------------------------------------------------------------------------
    def _z(self) -> np.ndarray:
        if self.softmax.editor.temperature() != 1.0:
            raise ValueError(
                "set the temperature T to 1: the exercises differentiate softmax(z), "
                "not softmax(z/T)"
            )
        return np.array(self.softmax.editor.logits())

    def _describe_softmax(self, what: str) -> str:
        return f"For the logits z = {format_vector(self._z())}: {what}, to 3 decimals."

    def _describe_gradient(self) -> str:
        y = format_vector(self.softmax.target())
        return self._describe_softmax(f"with y = {y}, the gradient ∂L/∂z of L = −Σ yₖ log ŷₖ")

    def check_jacobian(self, answer: object) -> Diagnosis:
        """Diagnose ``answer`` as the softmax Jacobian at the panel's logits."""
        return diagnose_softmax_jacobian(self._z(), answer)

    def check_gradient(self, answer: object) -> Diagnosis:
        """Diagnose ``answer`` as ∂L/∂z for the panel's logits and target."""
        return diagnose_cross_entropy_grad(self._z(), self.softmax.target(), answer)

    def load_softmax(self, exercise: Exercise) -> None:
        """Set logits (T = 1) and, for a gradient exercise, the target; one undo step."""
        i = exercise.inputs
        state = {
            **self.softmax.save_state(),
            "logits": [float(v) for v in i["z"]],
            "temperature": 1.0,
        }
        if "y" in i:
            y = i["y"]
            if np.ndim(y) == 0:
                state.update(target_mode="index", target_index=int(y))
            else:
                text = ", ".join(format_number(float(v), fractions=True) for v in y)
                state.update(target_mode="soft", soft_labels=text)
        self.softmax.restore_state(state)
        self.softmax.edited.emit()  # the tab's undo records edits announced this way

    # --- ridge --------------------------------------------------------------------------------
    def _ridge_problem(self) -> tuple[np.ndarray, np.ndarray, str]:
        if self.ridge_exercise is not None:
            i = self.ridge_exercise.inputs
            return np.asarray(i["X"]), np.asarray(i["y"]), "the exercise's X and y"
        report = self.ridge.report
        if report is None:
            raise ValueError("the ridge panel has no fit yet")
        y = self.ridge.data_box.data().y_train
        return report.X_train, y, "the panel's training data (scaled polynomial features)"

    def describe_ridge(self) -> str:
        """The closed-form question with the current data and λ."""
        X, _y, source = self._ridge_problem()
        lam = format_number(self.ridge.lam(), fractions=True)
        return (
            f"The minimiser w of (1/n)‖Xw − y‖² + λ‖w‖² for {source} (n = {X.shape[0]}, "
            f"{X.shape[1]} weight(s)) and the panel's λ = {lam}, to 3 decimals."
        )

    def check_ridge(self, answer: object) -> Diagnosis:
        """Diagnose ``answer`` as the ridge weights."""
        X, y, _source = self._ridge_problem()
        return diagnose_ridge(X, y, self.ridge.lam(), answer)

    def load_ridge(self, exercise: Exercise) -> None:
        """Keep the exercise's X and y here and set the panel's λ (one undo step)."""
        lam = float(exercise.inputs["lam"])
        # the whole current state with the new λ: a partial state would reset the data source
        self.ridge.restore_state({**self.ridge.save_state(), "lambda": lam, "lambda_nonzero": lam})
        self.ridge.edited.emit()
        self.ridge_exercise = exercise  # after restore_state, whose data_changed leaves it

    def _leave_ridge_exercise(self, *_args) -> None:
        if self.ridge_exercise is not None:
            self.ridge_exercise = None
            self.ridge_check.refresh()


def _page_of(tabs: QTabWidget, widget: QWidget) -> QWidget:
    """The page of ``tabs`` that holds ``widget``."""
    page: QWidget | None = widget
    while page is not None and tabs.indexOf(page) < 0:
        page = page.parentWidget()
    if page is None:
        raise ValueError(f"{widget.objectName()!r} is on no page of {tabs.objectName()!r}")
    return page


def attach_loss_tutor(tab: LossTutorHost) -> LossTutor:
    """Add "Check my answer" to the Loss tab's softmax and ridge panels."""
    return LossTutor(tab)
