"""Exercises and worksheets: reproducible, right answers (checked independently), clean output."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest

from engine import make_worksheet, new_exercise, parse_answer
from engine.tutor import SLIP_CODES, TOPIC_LABELS, TOPICS
from tests.engine.reference import brute_force_correlate


def independent_answer(exercise):
    """The exercise's answer recomputed from its inputs without engine code."""
    inp = exercise.inputs
    topic = exercise.topic
    if topic.startswith("convolution"):
        x, k = inp["x"], inp["kernel"]
        if inp["operation"] == "convolve":
            k = k[::-1, ::-1]
        n, kk, s, d = x.shape[0], k.shape[0], inp["stride"], inp["dilation"]
        if inp["padding"] == "same":
            total = max((-(-n // s) - 1) * s + d * (kk - 1) + 1 - n, 0)
            pads = (total // 2, total - total // 2) * 2
        else:
            p = 0 if inp["padding"] == "valid" else inp["padding"]
            pads = (p, p, p, p)
        return brute_force_correlate(x, k, pads, (s, s), (d, d)).astype(np.int64)
    if topic == "output_size":
        n, k, p, s, d = (inp[key] for key in ("size", "kernel", "padding", "stride", "dilation"))
        return math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1
    if topic == "param_count":
        k, c, g = inp["kernel"], inp["channels"], inp["groups"]
        return inp["filters"] * (k * k * c // g + (1 if inp["bias"] else 0))
    if topic == "softmax_jacobian":
        e = [math.exp(v) for v in inp["z"]]
        p = [v / sum(e) for v in e]
        return np.array([[p[i] * ((i == j) - p[j]) for j in range(len(p))] for i in range(len(p))])
    if topic == "cross_entropy_grad":
        e = [math.exp(v) for v in inp["z"]]
        p = np.array([v / sum(e) for v in e])
        y = inp["y"]
        target = np.eye(len(p))[y] if isinstance(y, int) else np.asarray(y)
        return p - target
    X, y, lam = inp["X"].astype(float), inp["y"].astype(float), inp["lam"]
    n = X.shape[0]
    return np.linalg.solve(X.T @ X + n * lam * np.eye(X.shape[1]), X.T @ y)


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_every_exercise_has_the_right_answer_and_its_check_accepts_it(topic, difficulty):
    for seed in range(8):
        exercise = new_exercise(topic, seed, difficulty)
        reference = independent_answer(exercise)
        assert np.allclose(exercise.answer, reference, rtol=0, atol=1e-12)
        assert exercise.check(exercise.answer).correct
        assert exercise.topic == topic and exercise.seed == seed
        assert exercise.title == TOPIC_LABELS[topic]
        assert exercise.question in exercise.to_markdown()
        if exercise.decimals is None:
            assert np.asarray(exercise.answer).dtype.kind == "i"  # exact integer exercises


CHECKER_OF = {
    "convolution_valid": "diagnose_convolution",
    "convolution_same": "diagnose_convolution",
    "convolution_stride": "diagnose_convolution",
    "output_size": "diagnose_output_size",
    "param_count": "diagnose_param_count",
    "softmax_jacobian": "diagnose_softmax_jacobian",
    "cross_entropy_grad": "diagnose_cross_entropy_grad",
    "ridge": "diagnose_ridge",
}


@pytest.mark.parametrize("topic", TOPICS)
def test_wrong_answers_get_findings_with_documented_codes(topic):
    rng = np.random.default_rng(TOPICS.index(topic))
    for seed in range(6):
        exercise = new_exercise(topic, seed, 1 + seed % 3)
        right = np.asarray(exercise.answer)
        for wrong in (right + 1, right * 2 - 1, right + rng.integers(-2, 3, right.shape)):
            diagnosis = exercise.check(wrong)
            if diagnosis.correct:
                assert np.allclose(wrong, right, atol=1e-2)
                continue
            assert diagnosis.findings, diagnosis
            assert set(diagnosis.codes) <= set(SLIP_CODES[CHECKER_OF[topic]]), diagnosis.codes
            assert all(f.message for f in diagnosis.findings)


def test_exercise_answers_are_small_numbers():
    for seed in range(10):
        for topic in ("convolution_valid", "convolution_same", "convolution_stride"):
            exercise = new_exercise(topic, seed, 2)
            assert np.abs(exercise.inputs["x"]).max() <= 9
            assert np.abs(exercise.inputs["kernel"]).max() <= 3
            assert exercise.answer.size <= 25
        ridge = new_exercise("ridge", seed, 2)
        assert np.abs(ridge.inputs["X"]).max() <= 3
        assert float(Fraction(ridge.inputs["lam"]).limit_denominator(4)) == ridge.inputs["lam"]


def test_same_seed_same_exercise_and_different_seeds_differ():
    for topic in TOPICS:
        a = new_exercise(topic, 1234, 2)
        b = new_exercise(topic, 1234, 2)
        assert a.to_markdown(answers=True) == b.to_markdown(answers=True)
        others = {new_exercise(topic, s, 2).to_markdown() for s in range(6)}
        assert len(others) >= 3


def test_planted_slip_in_a_generated_exercise_is_named():
    exercise = new_exercise("convolution_valid", 11, 2)
    x, k = exercise.inputs["x"], exercise.inputs["kernel"]
    flipped = brute_force_correlate(x, k[::-1, ::-1], (0, 0, 0, 0), (1, 1), (1, 1))
    assert exercise.check(flipped.astype(np.int64)).codes[0] == "flipped_kernel"
    size = new_exercise("output_size", 3, 2)
    assert size.check(size.answer - 1).correct is False


def test_worked_solutions_show_the_sums_of_products_and_formulas():
    conv = new_exercise("convolution_valid", 2, 1)
    md = conv.to_markdown(answers=True)
    assert md.count("O[") == conv.answer.size
    assert "⌊(4 + 2·0 − 3)/1⌋ + 1 = 2" in md
    ridge = new_exercise("ridge", 2, 2).to_markdown(answers=True)
    assert "(XᵀX + nλI)⁻¹Xᵀy" in ridge and "no w on the right-hand side" in ridge
    soft = new_exercise("softmax_jacobian", 2, 2).to_markdown(answers=True)
    assert "e^(zᵢ)(Σₖ e^(zₖ) − e^(zᵢ))" in soft and "ŷᵢ(1 − ŷᵢ)" in soft
    size = new_exercise("output_size", 2, 2).to_markdown(answers=True)
    assert "⌊" in size and "floor" in size


@pytest.mark.parametrize("topic", ["convolution_valid", "convolution_same", "convolution_stride"])
def test_the_answer_keys_sums_list_every_tap_zero_weights_too(topic):
    # a seed whose kernel has zero weights (small integer kernels often do)
    seed = next(s for s in range(200) if np.any(new_exercise(topic, s, 1).inputs["kernel"] == 0))
    exercise = new_exercise(topic, seed, 1)
    taps = exercise.inputs["kernel"].size
    lines = [line for line in exercise.to_markdown(answers=True).splitlines() if "O[" in line]
    assert len(lines) == exercise.answer.size
    for line in lines:
        sum_part = line.split("=", 1)[1]
        assert sum_part.count("·") == taps, line  # 0·x products are written out
        assert "left out" not in line


def test_worksheet_is_deterministic_and_cycles_topics():
    a = make_worksheet(77)
    b = make_worksheet(77)
    assert a.to_markdown(answers=True) == b.to_markdown(answers=True)
    assert a.to_latex(answers=True) == b.to_latex(answers=True)
    assert a.to_html(answers=True) == b.to_html(answers=True)
    assert [e.topic for e in a.exercises] == list(TOPICS)
    assert make_worksheet(78).to_markdown() != a.to_markdown()
    sheet = make_worksheet(5, ["output_size", "ridge"], count=5, difficulty=3)
    assert [e.topic for e in sheet.exercises] == ["output_size", "ridge"] * 2 + ["output_size"]
    assert all(e.difficulty == 3 for e in sheet.exercises)
    # each exercise can be regenerated on its own from the seed the sheet shows
    for e in sheet.exercises:
        again = new_exercise(e.topic, e.seed, 3)
        assert again.to_markdown() == e.to_markdown()
        assert f"seed {e.seed}" in sheet.to_markdown()


def test_markdown_sheet_has_questions_and_the_key_only_with_answers():
    sheet = make_worksheet(9)
    plain = sheet.to_markdown()
    keyed = sheet.to_markdown(answers=True)
    for number, exercise in enumerate(sheet.exercises, start=1):
        assert f"## {number}. {exercise.title}" in plain
        assert exercise.question in plain
        assert f"Answer: {exercise.answer_text}" in keyed
        assert f"Answer: {exercise.answer_text}" not in plain
    assert "ANSWER KEY" in keyed and "ANSWER KEY" not in plain
    assert "Solution" not in plain
    assert keyed.startswith("# ANSWER KEY — ")


def _balanced(tex):
    depth = 0
    for match in re.finditer(r"(?<!\\)[{}]", tex):
        depth += 1 if match.group(0) == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def test_latex_sheet_is_a_complete_ascii_document_with_escaped_text():
    sheet = make_worksheet(9, title="Sheet 3 & 4: 100% of #1_{a}~^\\")
    tex = sheet.to_latex()
    keyed = sheet.to_latex(answers=True)
    for doc in (tex, keyed):
        assert doc.isascii()
        assert doc.startswith("\\documentclass") and doc.rstrip().endswith("\\end{document}")
        assert "\\usepackage{amsmath" in doc and doc.count("\\begin{document}") == 1
        assert _balanced(doc)
        assert doc.count("\\[") == doc.count("\\]")
        assert doc.count("\\begin{bmatrix}") == doc.count("\\end{bmatrix}")
    assert r"Sheet 3 \& 4: 100\% of \#1\_\{a\}\textasciitilde{}\textasciicircum{}" in tex
    assert "\\section*{ANSWER KEY" in keyed and "ANSWER KEY" not in tex
    assert "\\markright{ANSWER KEY" in keyed
    assert "\\ensuremath{\\lambda}" in tex  # the ridge question's λ
    assert "{?}" not in keyed  # every Unicode symbol the exercises use has a LaTeX form
    emoji = make_worksheet(9, ["output_size"], title="Sheet \u2603").to_latex()
    assert "Sheet {?}" in emoji and emoji.isascii()


def test_html_sheet_escapes_text_and_has_tables():
    sheet = make_worksheet(9, title="A <b>bold</b> & sheet")
    page = sheet.to_html()
    keyed = sheet.to_html(answers=True)
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; sheet" in page
    assert page.count("<table") >= 6 and "ANSWER KEY" not in page
    assert "ANSWER KEY" in keyed and "O[0,0]" in keyed
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_parse_answer_reads_numbers_vectors_and_matrices():
    assert parse_answer("7") == 7
    assert parse_answer("−1.5") == -1.5
    assert parse_answer("3/7") == pytest.approx(3 / 7)
    assert parse_answer("O: 5") == 5
    assert np.array_equal(parse_answer("w = [1, −2]"), [1, -2])
    assert parse_answer("0.2, 0.7, 0.1").shape == (3,)
    assert parse_answer("1 2\n3 4").shape == (2, 2)
    assert parse_answer("[[1, 2], [3, 4]]").shape == (2, 2)
    assert parse_answer("\\begin{bmatrix} 1 & \\frac{1}{2} \\\\ 3 & 4 \\end{bmatrix}")[0, 1] == 0.5


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: new_exercise("convolution", 1, 1), "topic"),
        (lambda: new_exercise("ridge", -1, 1), "seed"),
        (lambda: new_exercise("ridge", 1.5, 1), "seed"),
        (lambda: new_exercise("ridge", 1, 4), "difficulty"),
        (lambda: make_worksheet("1"), "seed"),
        (lambda: make_worksheet(1, topics=["nope"]), "topics"),
        (lambda: make_worksheet(1, topics="ridge"), "topics"),
        (lambda: make_worksheet(1, topics=[]), "topics"),
        (lambda: make_worksheet(1, count=0), "count"),
        (lambda: make_worksheet(1, difficulty=0), "difficulty"),
        (lambda: make_worksheet(1, title=" "), "title"),
        (lambda: parse_answer(""), "text"),
        (lambda: parse_answer(None), "text"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, name):
    with pytest.raises(ValueError, match=name):
        call()
