"""The tutor's widgets, shared by every tab: "Check my answer", "New exercise", "Which input?"
and the worksheet dialog (File ▸ New worksheet…).

Each tab gets its panels from one ``attach_*_tutor(tab)`` call, which reads and sets the tab
through its public state only; the engine side is :mod:`engine.tutor`.
"""

from gui.tutor.check_panel import CheckAnswerPanel, CheckTarget, findings_html
from gui.tutor.exercise_bar import ExerciseBar
from gui.tutor.marks import MarksModel, MarksView
from gui.tutor.matrix_hooks import MatrixTutor, attach_matrix_tutor
from gui.tutor.which_input import WhichInputPanel

__all__ = [
    "CheckAnswerPanel",
    "CheckTarget",
    "ExerciseBar",
    "MarksModel",
    "MarksView",
    "MatrixTutor",
    "WhichInputPanel",
    "attach_matrix_tutor",
    "findings_html",
]
