"""The "New exercise" row: topic, level, a shown and editable seed, Load and New exercise."""

from __future__ import annotations

import secrets

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from engine.tutor import DIFFICULTIES, TOPIC_LABELS
from gui.tutor.tutor_state import read_int

LEVEL_LABELS = {1: "1 · easy", 2: "2 · medium", 3: "3 · hard"}
MAX_SEED = 999_999


class ExerciseBar(QWidget):
    """Choose an exercise by topic, level and seed; the same three always give the same problem.

    Signals
    -------
    requested(str, int, int)
        Load the exercise ``(topic, seed, difficulty)``: "Load" uses the seed in the box,
        "New exercise" first puts a fresh random seed there (so it can be noted and re-typed).
    """

    requested = Signal(str, int, int)

    def __init__(self, parent: QWidget | None = None, *, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.topic = QComboBox(self)
        self.topic.setObjectName(f"{name}Topic")
        self.topic.setToolTip("What kind of exercise")
        # long topic names must not widen the tab past the smallest window (1100 px)
        self.topic.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.topic.setMinimumContentsLength(14)
        self.topic.setMaximumWidth(360)  # at 1920 px a stretched box reads as a text field
        self.level = QComboBox(self)
        self.level.setObjectName(f"{name}Level")
        self.level.setToolTip("Larger numbers and inputs, and more settings at higher levels")
        for level in DIFFICULTIES:
            self.level.addItem(LEVEL_LABELS.get(level, str(level)), level)
        self.level.setCurrentIndex(0)
        self.seed = QSpinBox(self)
        self.seed.setObjectName(f"{name}Seed")
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(1)
        self.seed.setToolTip("The same topic, level and seed always give the same exercise")
        self.load_button = QPushButton("Load", self)
        self.load_button.setObjectName(f"{name}Load")
        self.load_button.setToolTip("Load the exercise with this seed into the inputs")
        self.load_button.clicked.connect(self.load)
        self.new_button = QPushButton("New exercise", self)
        self.new_button.setObjectName(f"{name}New")
        self.new_button.setToolTip("A random seed, loaded into the inputs (undo brings yours back)")
        self.new_button.clicked.connect(self.new_exercise)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.topic, 3)
        row.addWidget(QLabel("Level", self))
        row.addWidget(self.level)
        row.addWidget(QLabel("Seed", self))
        row.addWidget(self.seed)
        row.addWidget(self.load_button)
        row.addWidget(self.new_button)
        row.addStretch(1)  # takes the room when the topic box is hidden

    def set_topics(self, topics: tuple[str, ...]) -> None:
        """Offer ``topics`` (keys of :data:`engine.tutor.TOPICS`); one topic hides the box."""
        current = self.topic.currentData()
        self.topic.blockSignals(True)
        self.topic.clear()
        for key in topics:
            self.topic.addItem(TOPIC_LABELS[key], key)
        index = self.topic.findData(current)
        self.topic.setCurrentIndex(max(index, 0))
        self.topic.blockSignals(False)
        self.topic.setVisible(len(topics) > 1)

    def set_choice(self, topic: str | None = None, level: int | None = None) -> None:
        """Pick ``topic`` and/or ``level`` (unknown values raise ``ValueError``)."""
        for combo, value, what in ((self.topic, topic, "topic"), (self.level, level, "level")):
            if value is None:
                continue
            index = combo.findData(value)
            if index < 0:
                raise ValueError(f"{what} {value!r} is not offered here")
            combo.setCurrentIndex(index)

    def save_state(self) -> dict[str, object]:
        """The chosen topic, level and seed (plain JSON types)."""
        topic = self.topic.currentData()
        return {
            "topic": topic if isinstance(topic, str) else None,
            "level": int(self.level.currentData()),
            "seed": self.seed.value(),
        }

    def restore_state(self, state: object) -> None:
        """Restore :meth:`save_state` output; a topic not offered here, a level not offered or
        a seed outside the box's range keeps the current choice."""
        if not isinstance(state, dict):
            return
        topic = state.get("topic")
        if isinstance(topic, str) and self.topic.findData(topic) >= 0:
            self.topic.setCurrentIndex(self.topic.findData(topic))
        level = read_int(state.get("level"), min(DIFFICULTIES), max(DIFFICULTIES))
        if level is not None and self.level.findData(level) >= 0:
            self.level.setCurrentIndex(self.level.findData(level))
        seed = read_int(state.get("seed"), self.seed.minimum(), self.seed.maximum())
        if seed is not None:
            self.seed.setValue(seed)

    def load(self) -> None:
        """Request the exercise for the chosen topic, level and the seed in the box."""
        self.requested.emit(
            str(self.topic.currentData()), self.seed.value(), int(self.level.currentData())
        )

    def new_exercise(self) -> None:
        """Put a fresh random seed in the box and load its exercise."""
        self.seed.setValue(secrets.randbelow(MAX_SEED) + 1)
        self.load()
