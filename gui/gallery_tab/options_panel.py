"""Options for every tile (colour, pre-blur, border, negative display, Canny, zero crossings) and
the numpy ⇄ OpenCV backend switch with its comparison line."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from engine.images import (
    BORDER_LABELS,
    BORDER_MODES,
    DISPLAY_LABELS,
    DISPLAY_MODES,
    BackendComparison,
    GalleryOptions,
)
from gui.widgets.named import named

CANNY_MAX = 1000


class OptionsPanel(QGroupBox):
    """The options form. Emits :attr:`options_changed` with a new :class:`GalleryOptions`.

    Signals
    -------
    options_changed(object)
        The user changed an option (a valid ``GalleryOptions``).
    backend_changed(str)
        ``"numpy"`` or ``"opencv"`` was chosen for the large view.
    """

    options_changed = Signal(object)
    backend_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Options", parent)
        self.setObjectName("optionsPanel")
        self.color_combo = named(QComboBox(), "colorModeCombo")
        self.color_combo.addItem("Grayscale (luminance)", "gray")
        self.color_combo.addItem("Per-channel colour (R, G, B)", "color")
        self.color_combo.setToolTip(
            "Grayscale filters the luminance; per-channel colour filters R, G and B separately. "
            "Orientation, zero crossings and Canny always use the luminance."
        )
        self.blur_spin = named(QDoubleSpinBox(), "blurSpin")
        self.blur_spin.setRange(0.0, 20.0)
        self.blur_spin.setSingleStep(0.5)
        self.blur_spin.setDecimals(1)
        self.blur_spin.setSuffix(" px")
        self.blur_spin.setSpecialValueText("off")
        self.blur_spin.setToolTip("Gaussian pre-blur σ applied before every filter (0 = off)")
        self.border_combo = named(QComboBox(), "borderCombo")
        for key in BORDER_MODES:
            self.border_combo.addItem(BORDER_LABELS[key], key)
        self.border_combo.setToolTip(
            "How the image is extended past its edge. OpenCV filter2D refuses wrap, so the "
            "engine pads with copyMakeBorder(BORDER_WRAP) itself."
        )
        self.display_combo = named(QComboBox(), "displayCombo")
        for key in DISPLAY_MODES:
            self.display_combo.addItem(DISPLAY_LABELS[key], key)
        self.display_combo.setToolTip(
            "How signed responses (kernels whose weights sum to 0) are shown: |r|, r + 128, "
            "stretched from min to max, or blue (negative) – white (0) – red (positive) over "
            "± the 99th percentile of |r|, with a colour bar (colour mode: mean of R, G, B)."
        )
        self.canny_low = self._slider("cannyLowSlider", 50)
        self.canny_high = self._slider("cannyHighSlider", 150)
        self.canny_low_label = named(QLabel(), "cannyLowValue")
        self.canny_high_label = named(QLabel(), "cannyHighValue")
        self.zc_spin = named(QSpinBox(), "zeroCrossSpin")
        self.zc_spin.setRange(0, 100)
        self.zc_spin.setSuffix(" % of max |LoG|")
        self.zc_spin.setToolTip("A LoG sign change is an edge when its jump exceeds this")

        self.numpy_radio = named(QRadioButton("numpy"), "backendNumpy")
        self.opencv_radio = named(QRadioButton("OpenCV filter2D"), "backendOpenCV")
        self.opencv_radio.setChecked(True)
        self._backend_group = QButtonGroup(self)
        self._backend_group.addButton(self.numpy_radio)
        self._backend_group.addButton(self.opencv_radio)
        self.comparison_label = named(QLabel("—"), "comparisonLabel")
        self.comparison_label.setWordWrap(True)
        self.comparison_label.setToolTip(
            "Both backends run on the current frame for the large view: the largest absolute "
            "difference between their results and each one's time per frame."
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Colour:", self.color_combo)
        form.addRow("Pre-blur σ:", self.blur_spin)
        form.addRow("Border:", self.border_combo)
        form.addRow("Negative values:", self.display_combo)
        right = QFormLayout()
        right.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        right.addRow("Canny low:", self._with_value(self.canny_low, self.canny_low_label))
        right.addRow("Canny high:", self._with_value(self.canny_high, self.canny_high_label))
        right.addRow("Zero crossings:", self.zc_spin)
        backend_row = QHBoxLayout()
        backend_row.addWidget(self.numpy_radio)
        backend_row.addWidget(self.opencv_radio)
        backend_row.addStretch(1)
        right.addRow("Backend:", backend_row)
        columns = QHBoxLayout()
        columns.addLayout(form, 1)
        columns.addSpacing(12)
        columns.addLayout(right, 1)
        outer = QFormLayout(self)
        outer.addRow(columns)
        outer.addRow(self.comparison_label)

        self._updating = False
        self.set_options(GalleryOptions())
        for combo in (self.color_combo, self.border_combo, self.display_combo):
            combo.currentIndexChanged.connect(self._emit_options)
        self.blur_spin.valueChanged.connect(self._emit_options)
        self.zc_spin.valueChanged.connect(self._emit_options)
        self.canny_low.valueChanged.connect(self._on_low_moved)
        self.canny_high.valueChanged.connect(self._on_high_moved)
        self.numpy_radio.toggled.connect(self._emit_backend)

    @staticmethod
    def _slider(name: str, value: int) -> QSlider:
        slider = named(QSlider(Qt.Orientation.Horizontal), name)
        slider.setRange(0, CANNY_MAX)
        slider.setValue(value)
        slider.setToolTip("Canny hysteresis threshold on the L2 gradient magnitude")
        return slider

    @staticmethod
    def _with_value(slider: QSlider, label: QLabel) -> QHBoxLayout:
        label.setMinimumWidth(36)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout()
        row.addWidget(slider, 1)
        row.addWidget(label)
        return row

    # -- state ---------------------------------------------------------------------------------
    def options(self) -> GalleryOptions:
        """The options the controls show."""
        return GalleryOptions(
            color_mode=self.color_combo.currentData(),
            blur_sigma=float(self.blur_spin.value()),
            border=self.border_combo.currentData(),
            display=self.display_combo.currentData(),
            canny_low=float(self.canny_low.value()),
            canny_high=float(self.canny_high.value()),
            zero_cross_threshold=self.zc_spin.value() / 100.0,
        )

    def set_options(self, opts: GalleryOptions) -> None:
        """Show ``opts`` without emitting :attr:`options_changed`."""
        self._updating = True
        try:
            self.color_combo.setCurrentIndex(self.color_combo.findData(opts.color_mode))
            self.blur_spin.setValue(opts.blur_sigma)
            self.border_combo.setCurrentIndex(self.border_combo.findData(opts.border))
            self.display_combo.setCurrentIndex(self.display_combo.findData(opts.display))
            self.canny_high.setValue(min(CANNY_MAX, round(opts.canny_high)))
            self.canny_low.setValue(min(CANNY_MAX, round(opts.canny_low)))
            self.zc_spin.setValue(round(opts.zero_cross_threshold * 100))
        finally:
            self._updating = False
        self._update_value_labels()

    def backend(self) -> str:
        """``"numpy"`` or ``"opencv"``."""
        return "numpy" if self.numpy_radio.isChecked() else "opencv"

    def set_backend(self, backend: str) -> None:
        """Select a backend (emits :attr:`backend_changed` if it changes)."""
        (self.numpy_radio if backend == "numpy" else self.opencv_radio).setChecked(True)

    def show_comparison(self, comparison: BackendComparison | None, title: str = "") -> None:
        """Show max |numpy − OpenCV| and both times, or a dash."""
        if comparison is None:
            self.comparison_label.setText("—")
            return
        diff = comparison.max_abs_diff
        diff_text = "0 (identical)" if diff == 0 else f"{diff:.3g}"
        if comparison.differing_fraction > 0 and diff >= 1:
            diff_text += f" at {comparison.differing_fraction:.2%} of values"
        self.comparison_label.setText(
            f"{title}: max |numpy − OpenCV| = {diff_text} · "
            f"numpy {comparison.numpy_ms:.1f} ms · OpenCV {comparison.opencv_ms:.1f} ms per frame"
        )

    # -- slots ---------------------------------------------------------------------------------
    def _on_low_moved(self, value: int) -> None:
        if value > self.canny_high.value():
            self.canny_high.setValue(value)
        self._emit_options()

    def _on_high_moved(self, value: int) -> None:
        if value < self.canny_low.value():
            self.canny_low.setValue(value)
        self._emit_options()

    def _update_value_labels(self) -> None:
        self.canny_low_label.setText(str(self.canny_low.value()))
        self.canny_high_label.setText(str(self.canny_high.value()))

    def _emit_options(self, *_args: object) -> None:
        self._update_value_labels()
        if not self._updating:
            self.options_changed.emit(self.options())

    def _emit_backend(self, *_args: object) -> None:
        self.backend_changed.emit(self.backend())
