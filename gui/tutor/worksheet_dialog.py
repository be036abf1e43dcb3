"""File ▸ New worksheet…: choose topics, count, seed and level; preview; export the sheet and a
separate answer key as Markdown, LaTeX or PDF.

Both files go through the engine's writer, all or nothing (:func:`engine.storage.write_files`);
the PDF is Qt's own, made in memory first by :func:`gui.tutor.worksheet_pdf.worksheet_pdf`
(a header on every page, questions kept whole on a page) — no new dependency.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.storage import write_files
from engine.tutor import (
    DIFFICULTIES,
    MAX_COPIES,
    TOPIC_LABELS,
    TOPICS,
    WORKSHEET_TOPICS,
    Worksheet,
    WorksheetSet,
    make_worksheet,
    make_worksheets,
)
from gui.colours import set_tone, tone_label
from gui.tutor.exercise_bar import LEVEL_LABELS, MAX_SEED
from gui.tutor.worksheet_pdf import worksheet_pdf

FORMATS = {
    "markdown": ("Markdown", ".md"),
    "latex": ("LaTeX", ".tex"),
    "pdf": ("PDF", ".pdf"),
    "moodle": ("Moodle XML", ".xml"),
    "gift": ("GIFT", ".txt"),
}
MAX_COUNT = 50


def answer_key_path(path: str | Path) -> Path:
    """Where the answer key goes beside the sheet: ``sheet.md`` → ``sheet-answers.md``."""
    p = Path(path)
    return p.with_name(f"{p.stem}-answers{p.suffix}")


def export_worksheet(
    worksheet: Worksheet | WorksheetSet, path: str | Path, fmt: str
) -> tuple[Path, Path]:
    """Write the sheet to ``path`` and its answer key beside it (:func:`answer_key_path`);
    for ``"moodle"``/``"gift"`` the questions go to ``path`` and the key (Markdown) beside it.

    Raises ``ValueError`` for an unknown ``fmt`` and ``OSError`` when a file cannot be written;
    both are written all or nothing (:func:`engine.storage.write_files`), so a key that cannot be
    written never leaves a new sheet without it, and old copies stay intact.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {tuple(FORMATS)}, got {fmt!r}")
    sheet, key = Path(path), answer_key_path(path)
    contents = []
    if fmt in ("moodle", "gift"):
        key = key.with_suffix(".md")
        text = worksheet.to_moodle_xml() if fmt == "moodle" else worksheet.to_gift()
        files: list[tuple[str | os.PathLike[str], bytes]] = [
            (sheet, text.encode("utf-8")),
            (key, worksheet.to_markdown(True).encode("utf-8")),
        ]
        write_files(files)
        return sheet, key
    for target, answers in ((sheet, False), (key, True)):
        if fmt == "pdf":
            contents.append((target, worksheet_pdf(worksheet, answers=answers)))
        elif fmt == "latex":
            contents.append((target, worksheet.to_latex(answers=answers).encode("utf-8")))
        else:
            contents.append((target, worksheet.to_markdown(answers=answers).encode("utf-8")))
    write_files(contents)
    return sheet, key


class WorksheetDialog(QDialog):
    """Make a worksheet from topics, count, seed and level; preview and export it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("worksheetDialog")
        self.setWindowTitle("New worksheet")
        self.resize(1000, 700)
        self.worksheet: Worksheet | None = None
        self.worksheets: WorksheetSet | None = None

        self.topics = QListWidget(self)
        self.topics.setObjectName("worksheetTopics")
        for key in WORKSHEET_TOPICS:
            item = QListWidgetItem(TOPIC_LABELS[key], self.topics)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = key in TOPICS
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.topics.itemChanged.connect(self.refresh)
        rows = self.topics.sizeHintForRow(0) * self.topics.count()
        self.topics.setMaximumHeight(rows + 2 * self.topics.frameWidth() + 6)
        self.count = QSpinBox(self)
        self.count.setObjectName("worksheetCount")
        self.count.setRange(1, MAX_COUNT)
        self.count.setValue(len(TOPICS))
        self.count.setToolTip("Exercises on the sheet; the chosen topics are used in turn")
        self.seed = QSpinBox(self)
        self.seed.setObjectName("worksheetSeed")
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(1)
        self.seed.setToolTip("The same choices and seed always give the same sheet")
        self.random_seed = QPushButton("Random seed", self)
        self.random_seed.setObjectName("worksheetRandomSeed")
        self.random_seed.clicked.connect(self._on_random_seed)
        self.level = QComboBox(self)
        self.level.setObjectName("worksheetLevel")
        for level in DIFFICULTIES:
            self.level.addItem(LEVEL_LABELS.get(level, str(level)), level)
        self.level.setCurrentIndex(self.level.findData(2))
        self.title = QLineEdit("KernelScope worksheet", self)
        self.title.setObjectName("worksheetTitle")
        self.copies = QSpinBox(self)
        self.copies.setObjectName("worksheetCopies")
        self.copies.setRange(1, MAX_COPIES)
        self.copies.setValue(1)
        self.copies.setToolTip("Per-student copies from the seed, each with its own variant seed")
        self.answer_space = QCheckBox("Answer space", self)
        self.answer_space.setObjectName("worksheetAnswerSpace")
        self.answer_space.setChecked(True)
        self.show_key = QCheckBox("Preview the answer key", self)
        self.show_key.setObjectName("worksheetShowKey")
        for signal in (
            self.count.valueChanged,
            self.seed.valueChanged,
            self.level.currentIndexChanged,
            self.title.editingFinished,
            self.show_key.toggled,
            self.copies.valueChanged,
            self.answer_space.toggled,
        ):
            signal.connect(self.refresh)
        self.format = QComboBox(self)
        self.format.setObjectName("worksheetFormat")
        for key, (label, _suffix) in FORMATS.items():
            self.format.addItem(label, key)
        self.export_button = QPushButton("Export sheet and answer key…", self)
        self.export_button.setObjectName("worksheetExport")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.status = QLabel(self)
        self.status.setObjectName("worksheetStatus")
        self.status.setWordWrap(True)
        tone_label(self.status, None)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("worksheetPreview")
        close = QPushButton("Close", self)
        close.setObjectName("worksheetClose")
        close.clicked.connect(self.close)

        choices = QGroupBox("Sheet", self)
        form = QFormLayout(choices)
        form.addRow(QLabel("Topics", choices))
        form.addRow(self.topics)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.random_seed)
        form.addRow("Exercises", self.count)
        form.addRow("Seed", seed_row)
        form.addRow("Level", self.level)
        form.addRow("Title", self.title)
        form.addRow("Copies", self.copies)
        form.addRow(self.answer_space)
        form.addRow(self.show_key)
        export = QGroupBox("Export", self)
        export_layout = QVBoxLayout(export)
        export_row = QHBoxLayout()
        export_row.addWidget(QLabel("Format", export))
        export_row.addWidget(self.format, 1)
        export_layout.addLayout(export_row)
        export_layout.addWidget(self.export_button)
        export_layout.addWidget(self.status)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(choices)
        left_layout.addWidget(export)
        left_layout.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 670])
        splitter.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.refresh()

    def chosen_topics(self) -> list[str]:
        """The ticked topics, in worksheet order."""
        items = (self.topics.item(i) for i in range(self.topics.count()))
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_topics(self, topics: list[str]) -> None:
        """Tick exactly ``topics``."""
        self.topics.blockSignals(True)
        for i in range(self.topics.count()):
            item = self.topics.item(i)
            ticked = item.data(Qt.ItemDataRole.UserRole) in topics
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.topics.blockSignals(False)
        self.refresh()

    def refresh(self, *_args) -> None:
        """Make the sheet from the current choices and show it."""
        topics = self.chosen_topics()
        self.export_button.setEnabled(bool(topics))
        if not topics:
            self.worksheet = None
            self.preview.setHtml("<p>Tick at least one topic.</p>")
            return
        options = {
            "difficulty": int(self.level.currentData()),
            "title": self.title.text().strip() or "KernelScope worksheet",
            "answer_space": self.answer_space.isChecked(),
        }
        args = (topics, self.count.value())
        self.worksheet = make_worksheet(self.seed.value(), *args, **options)  # type: ignore[arg-type]
        self.worksheets = make_worksheets(
            self.seed.value(),
            self.copies.value(),
            *args,
            **options,  # type: ignore[arg-type]
        )
        shown: Worksheet | WorksheetSet = self.worksheet
        if self.copies.value() > 1:
            shown = self.worksheets
        scroll = self.preview.verticalScrollBar().value()
        self.preview.setHtml(shown.to_html(answers=self.show_key.isChecked()))
        self.preview.verticalScrollBar().setValue(scroll)

    def export(self, path: str | Path, fmt: str) -> tuple[Path, Path]:
        """Write the sheet to ``path`` and the answer key beside it; say where in the dialog."""
        if self.worksheet is None or self.worksheets is None:
            raise ValueError("tick at least one topic first")
        target: Worksheet | WorksheetSet = self.worksheet
        if self.copies.value() > 1:
            target = self.worksheets
        sheet, key = export_worksheet(target, path, fmt)
        self.status.setText(f"Saved {sheet.name} and the answer key {key.name} in {sheet.parent}")
        set_tone(self.status, None)
        return sheet, key

    def _on_random_seed(self) -> None:
        # any seed the spin box takes, 0 and MAX_SEED included
        self.seed.setValue(secrets.randbelow(MAX_SEED + 1))

    def _on_export_clicked(self) -> None:
        fmt = str(self.format.currentData())
        label, suffix = FORMATS[fmt]
        path, _ = QFileDialog.getSaveFileName(
            self, "Export worksheet", f"worksheet{suffix}", f"{label} (*{suffix});;All files (*)"
        )
        if not path:
            return
        try:
            self.export(path, fmt)
        except (OSError, ValueError) as exc:
            self.status.setText(f"Could not export: {exc}")
            set_tone(self.status, "error")
