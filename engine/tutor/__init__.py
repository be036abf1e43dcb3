"""KernelScope as a tutor: check an answer and name the slip, make exercises and worksheets,
and find the input behind given outputs ("Which input?").

Checking answers
----------------
Every ``diagnose_*`` function takes the exercise's data and the user's answer (an array, a
number, or text read by :func:`parse_answer`) and returns a :class:`Diagnosis`:

* ``.correct`` — right to the exercise's precision: integer exercises exactly; other numbers
  within one unit of the ``decimals``-th decimal (``decimals=2`` for convolutions, ``3`` for
  softmax, cross-entropy and ridge), so a fraction typed as ``3/7`` is always right;
* ``.expected`` and ``.answer``; ``.wrong_cells`` — ``(row, col)`` of each wrong cell
  (``(0, k)`` for vector entries; empty for numbers and answers of another shape);
* ``.findings`` — :class:`Finding` objects, most likely first (empty when correct), each with
  ``.code`` (see :data:`SLIP_CODES`), ``.message`` (a sentence with the evidence, e.g. "your 5×5
  matches true convolution — the kernel flipped — in 25 of 25 cells; the task asks for
  cross-correlation, which PyTorch calls convolution"), ``.matched``/``.total`` cells, and for
  ``arithmetic`` ``.slips``: :class:`CellSlip` (cell, given, expected, work — the cell's sum of
  products from :func:`engine.trace_cell`);
* ``.summary`` — one line for a status bar.

``diagnose_convolution(x, kernel, answer, *, padding="valid", stride=1, dilation=1,
operation="correlate", decimals=2)``, ``diagnose_output_size(size, kernel, padding, stride,
dilation, answer)``, ``diagnose_param_count(filters, kernel, channels, answer, *, bias=True,
groups=1)``, ``diagnose_softmax(z, answer)``, ``diagnose_softmax_jacobian(z, answer)``,
``diagnose_cross_entropy_grad(z, y, answer)``, ``diagnose_ridge(X, y, lam, answer)``.

Exercises and worksheets
------------------------
``new_exercise(topic, seed, difficulty=1)`` → :class:`Exercise` (one of :data:`TOPICS`;
difficulty 1–3; the same arguments give the same exercise) with ``.question``, ``.inputs``,
``.answer``, ``.check(answer)`` → :class:`Diagnosis`, and ``.to_markdown/.to_latex/.to_html(
answers=False)``.
``make_worksheet(seed, topics=None, count=None, *, difficulty=2, answer_space=True)`` →
:class:`Worksheet` with ``.to_markdown/.to_latex/.to_html(answers=False)`` (name/date line,
points per question, room to answer); ``answers=True`` gives the answer key with worked
solutions, "ANSWER KEY" in its title, headings and page headers. ``.to_moodle_xml()`` and
``.to_gift()`` export the questions. ``make_worksheets(seed, copies, …)`` →
:class:`WorksheetSet` of per-student copies (seeds from :func:`variant_seeds`), the same
methods over every copy. Worksheets may also use :data:`CLASS_TOPICS` (true convolution,
pooling, ∂L/∂K, derivation steps; checked by ``diagnose_pooling``, ``diagnose_kernel_grad``,
``diagnose_choice``). HTML is for Qt's ``QTextDocument`` (PDF).

Which input?
------------
``solve_input(outputs, kernels, *, padding="valid", stride=1, dilation=1,
operation="correlate", input_shape=None)`` → :class:`InputSolution` (``.x``, ``.exact``,
``.unique``, ``.rank``, ``.residual``, ``.max_error``, ``.worst``, ``.determined``,
``.message``).
"""

from engine.tutor._arithmetic import diagnose_output_size, diagnose_param_count
from engine.tutor._class_checks import diagnose_choice, diagnose_kernel_grad, diagnose_pooling
from engine.tutor._convolution import diagnose_convolution
from engine.tutor._diagnosis import CellSlip, Diagnosis, Finding, Precision
from engine.tutor._exercise import (
    CLASS_TOPICS,
    DIFFICULTIES,
    TOPIC_LABELS,
    TOPICS,
    WORKSHEET_TOPICS,
    Exercise,
)
from engine.tutor._exercises import new_exercise
from engine.tutor._inverse import InputSolution, solve_input
from engine.tutor._parse import parse_answer
from engine.tutor._ridge import diagnose_ridge
from engine.tutor._softmax import (
    diagnose_cross_entropy_grad,
    diagnose_softmax,
    diagnose_softmax_jacobian,
)
from engine.tutor._worksheet import (
    KEY_MARK,
    MAX_COPIES,
    Worksheet,
    WorksheetSet,
    make_worksheet,
    make_worksheets,
    variant_seeds,
)

#: Every slip code a diagnosis can name, by function.
SLIP_CODES: dict[str, tuple[str, ...]] = {
    "diagnose_convolution": (
        "flipped_kernel",
        "padding_valid",
        "padding_same",
        "padding_full",
        "stride",
        "dilation",
        "transposed",
        "kernel_transposed",
        "sign",
        "window_shift",
        "arithmetic",
        "wrong_shape",
        "unexplained",
    ),
    "diagnose_output_size": (
        "no_floor",
        "padding_once",
        "no_plus_one",
        "dilation_ignored",
        "dilation_extent",
        "stride_ignored",
        "padding_ignored",
        "unexplained",
    ),
    "diagnose_param_count": (
        "no_bias",
        "bias_added",
        "no_channels",
        "kernel_not_squared",
        "groups_ignored",
        "bias_per_channel",
        "no_filters",
        "unexplained",
    ),
    "diagnose_softmax": (
        "no_normalisation",
        "linear_normalisation",
        "log_softmax",
        "arithmetic",
        "wrong_shape",
        "unexplained",
    ),
    "diagnose_softmax_jacobian": (
        "quotient_rule_slip",
        "diagonal_only",
        "sign_off_diagonal",
        "missing_delta",
        "repeated_index",
        "transposed",
        "sign",
        "arithmetic",
        "wrong_shape",
        "unexplained",
    ),
    "diagnose_cross_entropy_grad": (
        "forgot_softmax",
        "sign",
        "one_hot_only",
        "forgot_target",
        "wrt_probabilities",
        "arithmetic",
        "wrong_shape",
        "unexplained",
    ),
    "diagnose_pooling": (
        "wrong_mode",
        "no_division",
        "stride",
        "transposed",
        "arithmetic",
        "wrong_shape",
        "unexplained",
    ),
    "diagnose_kernel_grad": (
        "flipped_kernel",
        "transposed",
        "sign",
        "input_grad",
        "arithmetic",
        "wrong_shape",
        "unexplained",
    ),
    "diagnose_choice": (
        "quotient_rule_slip",
        "sign",
        "denominator_not_squared",
        "ignored_denominator",
        "lost_index",
        "repeated_index",
        "missing_delta",
        "forgot_log_derivative",
        "forgot_target",
        "dropped_sum_y",
        "half_lambda",
        "lambda_without_n",
        "double_lambda",
        "missing_identity",
        "w_both_sides",
        "matrix_division",
        "not_an_option",
    ),
    "diagnose_ridge": (
        "lambda_without_n",
        "no_regularisation",
        "half_lambda",
        "double_lambda",
        "lambda_over_n",
        "arithmetic",
        "wrong_shape",
        "unexplained",
    ),
}

__all__ = [
    "CLASS_TOPICS",
    "DIFFICULTIES",
    "KEY_MARK",
    "MAX_COPIES",
    "WORKSHEET_TOPICS",
    "WorksheetSet",
    "diagnose_choice",
    "diagnose_kernel_grad",
    "diagnose_pooling",
    "make_worksheets",
    "variant_seeds",
    "SLIP_CODES",
    "TOPICS",
    "TOPIC_LABELS",
    "CellSlip",
    "Diagnosis",
    "Exercise",
    "Finding",
    "InputSolution",
    "Precision",
    "Worksheet",
    "diagnose_convolution",
    "diagnose_cross_entropy_grad",
    "diagnose_output_size",
    "diagnose_param_count",
    "diagnose_ridge",
    "diagnose_softmax",
    "diagnose_softmax_jacobian",
    "make_worksheet",
    "new_exercise",
    "parse_answer",
    "solve_input",
]
