"""Help ▸ KernelScope help (F1): the tabs and shortcuts, and which tab answers which question
of the "Convolutions and Loss Functions" exercise sheet.

The list of tabs and their Ctrl+number shortcuts is built from the tab registry, so a new tab
cannot be left out (a test checks that every registered tab has a line here).
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gui.tab_registry import TABS, TabSpec

#: What each tab is for, one line each (keys of :data:`gui.tab_registry.TABS`).
TAB_HELP = {
    "matrix": "type or paste a matrix and up to six kernels (or pick Sobel, Prewitt, … from "
    "the library); choose padding, stride, dilation and correlation or true convolution; hover "
    "or step through an output cell to see its sum of products; <i>Valid · same · full</i>, "
    "<i>Backward pass</i> and a conv layer with C channels and N filters.",
    "gallery": "open an image (Ctrl+O), a video or the camera and see every edge filter at "
    "once; click one for a large view; hover a pixel to see the window, kernel and products "
    "behind its value; numpy and OpenCV side by side.",
    "layers": "<i>One layer</i>: output size and parameters of a conv layer with your numbers "
    "written into the formulas, compared with a dense layer; <i>Whole network</i>: a table of "
    "layers with shapes, parameters, MACs and receptive field (LeNet-5, AlexNet, VGG-16 …).",
    "loss": "softmax and its Jacobian, cross-entropy and its gradient ŷ − y (each checked "
    "against finite differences, with a step-by-step derivation); ridge regression in closed "
    "form; gradient descent with the L2 circle and L1 diamond.",
    "train": "a CNN and an MLP learn handwritten digits side by side; see their filters, "
    "feature maps and mistakes, draw your own digit, and run experiments over seeds with error "
    "bars: overfitting & L2, learning curves, the shift test and a gradient check.",
}

_SHORTCUTS = (
    ("Ctrl+O", "Open an image in the Filter gallery"),
    ("Ctrl+Shift+O", "Open a session file"),
    ("Ctrl+S / Ctrl+Shift+S", "Save the session / save it as…"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo in the current tab"),
    ("Ctrl+C", "Copy the selection"),
    ("Ctrl+Shift+D", "Check a derivation, one step a line (Loss tab)"),
    ("F11", "Full screen"),
    ("F1", "This help"),
    ("Ctrl+Q", "Quit (the session is saved)"),
)


def tab_shortcut(position: int) -> str | None:
    """The View-menu shortcut of the tab at ``position`` (0-based): Ctrl+1 … Ctrl+9."""
    return f"Ctrl+{position + 1}" if position < 9 else None


def _title(spec: TabSpec) -> str:
    return escape(spec.title.replace("&&", "&"))


def overview_html(tabs: tuple[TabSpec, ...] = TABS) -> str:
    """The first help page: the tabs (from the registry), the tutor, worksheets, practice mode,
    sessions and the shortcuts."""
    items = []
    for n, spec in enumerate(tabs):
        key = tab_shortcut(n)
        items.append(
            f"<li><b>{_title(spec)}</b>{f' ({key})' if key else ''}: "
            f"{TAB_HELP.get(spec.key, '')}</li>"
        )
    last = tab_shortcut(min(len(tabs), 9) - 1) if tabs else None
    switch = [(f"Ctrl+1 … {last}", "Switch tabs")] if last and last != "Ctrl+1" else []
    rows = "".join(
        f"<tr><td><b>{escape(keys)}</b></td><td>&nbsp;&nbsp;{escape(what)}</td></tr>"
        for keys, what in _SHORTCUTS[:5] + tuple(switch) + _SHORTCUTS[5:]
    )
    return f"""
<h3>KernelScope in one minute</h3>
<ul>{"".join(items)}</ul>
<h3>Practise and check yourself</h3>
<ul>
<li><b>Check my answer</b> (Matrix &amp; kernel, Layer sizes, Loss): type or paste your own
result beside the tab's and press <i>Check</i>. Each cell is marked ✓ or ✗, and the most likely
slip is named with its evidence (a flipped kernel, the size before the floor, the quotient-rule
slip, λ without the factor n …).</li>
<li><b>New exercise</b> (same tabs): loads a small random problem into the tab's inputs, from a
seed that is shown and can be typed again to get the same problem. One Undo takes it back.</li>
<li><b>Which input?</b> (Matrix &amp; kernel): works backwards from pasted outputs to the input
that gives them.</li>
<li><b>File ▸ New worksheet…</b>: pick topics, number of questions, level and seed; preview the
sheet and export it with a separate answer key (worked solutions) as Markdown, LaTeX or PDF.</li>
<li><b>View ▸ Practice mode</b>: the results of the exercise at hand are hidden in every tab
until you check an answer or ask for it to be shown; leave the mode to see everything again.</li>
</ul>
<p>Class numbers count from 0, as in the tables, the worksheets and numpy: with 3 classes they
are 0, 1 and 2.</p>
<h3>Your work is kept</h3>
<p>Everything is autosaved a moment after each change and restored at the next start. After a
crash the last autosave is offered for recovery. <i>File ▸ Save session as…</i> writes a
session file you can open elsewhere (<i>File ▸ Open session…</i>).</p>
<h3>Shortcuts</h3>
<table cellspacing="0" cellpadding="3">{rows}</table>
"""


#: (sheet question, tab, where in the tab and what to do). Tab names are registry keys.
SHEET_ROWS = (
    (
        "1 · Convolution of a matrix with a kernel, by hand",
        "matrix",
        "Type the matrix and the kernel; each output appears under its kernel. Hover or step "
        "through a cell (<i>Explain a cell</i>) to see its sum of products with the numbers; "
        "<i>Worked solution &amp; export</i> writes the whole solution. Correlation is what deep "
        "learning calls convolution; pick <i>convolution</i> for the flipped kernel.",
    ),
    (
        "1 · Output size; padding and stride",
        "matrix",
        "Set padding (valid, same, full or a number) and stride: the size formula is filled "
        "in under each output, with the rows and columns the floor drops. <i>Valid · same · "
        "full</i> shows the three paddings side by side.",
    ),
    (
        "1 · Output size for any layer",
        "layers",
        "<i>One layer</i>: H, W, kernel, padding, stride and dilation give "
        "O = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 with your numbers; it also finds the padding or "
        "stride that gives a wanted size.",
    ),
    (
        "1 · Prewitt and Sobel filters on a matrix",
        "matrix",
        "Pick <i>Prewitt x/y</i> or <i>Sobel x/y</i> from a kernel's library list; each "
        "kernel card says what it responds to.",
    ),
    (
        "1 · Prewitt and Sobel filters on an image",
        "gallery",
        "Every filter is a live thumbnail of the sample photo, your image or the camera; "
        "click one for a large view, hover a pixel to see its window and products.",
    ),
    (
        "1 · Parameters of a conv layer",
        "layers",
        "<i>One layer</i>: N·(kh·kw·C + 1) with your numbers (bias and groups too); "
        "<i>Whole network</i> adds them up layer by layer. The Matrix tab's <i>Conv layer "
        "(C channels, N filters)</i> mode computes such a layer on small matrices.",
    ),
    (
        "2.1 (iv) · CNN vs MLP: weight sharing",
        "layers",
        "<i>One layer</i> compares the conv layer's parameters with a dense layer connecting "
        "the same input and output: one small kernel is shared by every position.",
    ),
    (
        "2.1 (iv) · CNN vs MLP: translation invariance",
        "train",
        "<i>Train both</i>, then <i>Experiments ▸ Shift test</i>: the digits moved by 1, 2 "
        "or 3 pixels — the CNN keeps more of its accuracy than the MLP. <i>Draw your own</i> "
        "and shift it with the arrow keys to watch both models' answers.",
    ),
    (
        "2.2 · Derivative of the softmax",
        "loss",
        "<i>Softmax &amp; cross-entropy</i>: the Jacobian ŷᵢ(δᵢⱼ − ŷⱼ) as an annotated "
        "heatmap, checked against finite differences; <i>Step-by-step derivation</i> fills in "
        "your numbers; <i>Check my answer</i> names the quotient-rule slip.",
    ),
    (
        "2.3 · Gradient of the cross-entropy",
        "loss",
        "<i>Softmax &amp; cross-entropy</i>: choose the class index (counted from 0) or soft "
        "labels; the gradient ŷ − y is shown and checked, and the derivation shows where "
        "Σₖyₖ = 1 is used.",
    ),
    (
        "2.3 · L2 regularisation and the ridge closed form",
        "loss",
        "<i>Ridge regularisation</i>: w = (XᵀX + nλI)⁻¹Xᵀy beside the unregularised fit, "
        "error and coefficients against λ, the <i>Closed-form derivation</i> and <i>Check my "
        "answer</i>. <i>Gradient descent</i> draws the L2 circle; the Train tab's "
        "<i>Experiments ▸ Overfitting &amp; L2</i> shows where λ helps a real network (and "
        "where it does not).",
    ),
    (
        "Any topic · more exercises",
        None,
        "<i>New exercise</i> in the Matrix, Layer sizes and Loss tabs, or a whole sheet with "
        "its answer key from <i>File ▸ New worksheet…</i>.",
    ),
)


def sheet_html(tabs: tuple[TabSpec, ...] = TABS) -> str:
    """The second help page: a table from each sheet question to the tab and place that
    answers it."""
    titles = {spec.key: _title(spec) for spec in tabs}
    shortcuts = {spec.key: tab_shortcut(n) for n, spec in enumerate(tabs)}
    rows = []
    for question, key, where in SHEET_ROWS:
        if key is None:
            tab = "—"
        else:
            shortcut = shortcuts.get(key)
            tab = f"<b>{titles[key]}</b>" + (f"<br>({shortcut})" if shortcut else "")
        rows.append(f"<tr><td>{escape(question)}</td><td>{tab}</td><td>{where}</td></tr>")
    return f"""
<h3>Which tab answers which sheet question</h3>
<p>The questions of the "Convolutions and Loss Functions" sheet, and where KernelScope shows
the answer with your own numbers.</p>
<table border="1" cellspacing="0" cellpadding="4" width="100%">
<tr><th align="left" width="27%">Sheet question</th><th align="left" width="18%">Tab</th>
<th align="left">Where, and what to do</th></tr>
{"".join(rows)}
</table>
"""


class HelpDialog(QDialog):
    """Two scrollable help pages (non-modal: they can stay open next to the window)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle("KernelScope help")
        layout = QVBoxLayout(self)
        self.pages = QTabWidget(self)
        self.pages.setObjectName("helpPages")
        self.browser = self._page("helpText", overview_html(), "Getting started")
        self.sheet_browser = self._page(
            "helpSheetText", sheet_html(), "Which tab answers which sheet question"
        )
        layout.addWidget(self.pages)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(760, 620)

    def _page(self, name: str, html: str, title: str) -> QTextBrowser:
        browser = QTextBrowser(self.pages)
        browser.setObjectName(name)
        browser.setHtml(html)
        browser.setMinimumSize(560, 420)
        self.pages.addTab(browser, title)
        return browser
