"""The tutor's generic widgets, shared by every tab: "Check my answer", "New exercise",
"Which input?", the practice-mode veil and the worksheet dialog (File ▸ New worksheet…).

They know no tab. Each tab package owns its adapter (``gui/matrix_tab/tutor.py``,
``gui/layers_tab/tutor.py``, ``gui/loss_tab/tutor.py``), which builds these panels with
callables over the tab's public state and joins them to the tab through
:class:`gui.services.TutorHost` (:func:`join_tab`); the engine side is :mod:`engine.tutor`.
"""

from gui.tutor.check_panel import CheckAnswerPanel, CheckTarget, findings_html
from gui.tutor.exercise_bar import ExerciseBar
from gui.tutor.marks import MarksModel, MarksView
from gui.tutor.tab_link import join_tab
from gui.tutor.tutor_state import read_bool, read_int, read_text
from gui.tutor.veil import Veil
from gui.tutor.which_input import WhichInputPanel

__all__ = [
    "CheckAnswerPanel",
    "CheckTarget",
    "ExerciseBar",
    "MarksModel",
    "MarksView",
    "Veil",
    "WhichInputPanel",
    "findings_html",
    "join_tab",
    "read_bool",
    "read_int",
    "read_text",
]
