"""The live classification's preprocessing strip: each stage as a small picture with its title."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from engine.train import LiveStep
from gui.train_tab.pixmaps import gray_pixmap

#: Most stages shown (the digit way has five: gray, ink, box, fitted, input).
STEP_SLOTS = 5
STEP_PX = 92


class StepStrip(QWidget):
    """A row of :data:`STEP_SLOTS` pictures (ink white on black, as the model sees it) and their
    numbered titles; unused places are hidden once a frame has been shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveSteps")
        self.title = QLabel("What the models see, step by step:")
        self.title.setObjectName("liveStepsTitle")
        self.images: list[QLabel] = []
        self.captions: list[QLabel] = []
        grid = QGridLayout()
        for i in range(STEP_SLOTS):
            image = QLabel()
            image.setObjectName(f"liveStep{i}")
            image.setFixedSize(STEP_PX, STEP_PX)
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel()
            caption.setObjectName(f"liveStepCaption{i}")
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            caption.setWordWrap(True)
            caption.setFixedWidth(STEP_PX + 30)
            grid.addWidget(image, 0, i, Qt.AlignmentFlag.AlignHCenter)
            grid.addWidget(caption, 1, i, Qt.AlignmentFlag.AlignHCenter)
            self.images.append(image)
            self.captions.append(caption)
        grid.setColumnStretch(STEP_SLOTS, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        self.show_steps([])

    def show_steps(self, steps: list[LiveStep] | tuple[LiveStep, ...]) -> None:
        """Show ``steps`` first to last; ``[]`` empties every place (keeping the row's height)."""
        pairs = zip(self.images, self.captions, strict=True)
        for i, (image, caption) in enumerate(pairs):
            if i < len(steps):
                step = steps[i]
                image.setPixmap(gray_pixmap(step.image, STEP_PX))
                caption.setText(f"{i + 1}. {step.title}")
                image.show()
                caption.show()
            else:
                image.clear()
                caption.clear()
                image.setVisible(not steps)
                caption.setVisible(not steps)
