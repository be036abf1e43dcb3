"""Class-ready worksheets (issue 19): answer space, name/date line and points on the sheet, an
answer key marked on every page, per-student copies from one master seed, Moodle XML and GIFT
exports read back here (xml.etree; a small GIFT reader below), and the new topics (true
convolution, pooling, the backward pass ∂L/∂K, derivation steps) checked independently."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.tutor import (
    CLASS_TOPICS,
    TOPICS,
    WORKSHEET_TOPICS,
    make_worksheet,
    make_worksheets,
    new_exercise,
)
from tests.engine.reference import brute_force_correlate

ALL = list(WORKSHEET_TOPICS)


# ---------------------------------------------------------------------------------- the sheet


def test_sheet_has_name_date_line_points_and_an_answer_grid_per_question():
    sheet = make_worksheet(4, ALL, difficulty=2)
    md = sheet.to_markdown()
    assert "Name: ___" in md and "Date: ___" in md
    assert f"Points: ______ / {sheet.total_points}" in md
    assert sheet.total_points == sum(sheet.points) and all(p >= 2 for p in sheet.points)
    for number, (exercise, points) in enumerate(
        zip(sheet.exercises, sheet.points, strict=True), start=1
    ):
        assert f"## {number}. {exercise.title}" in md
        assert f"— {points} points" in md
    # one empty grid of the answer's shape per matrix question, a line per number question
    part = md.split("## 1. ")[1].split("## 2. ")[0]
    rows, cols = sheet.exercises[0].answer.shape
    grid = [
        line for line in part.splitlines() if line.startswith("|") and line.strip("| \u2007") == ""
    ]
    assert len(grid) == rows and grid[0].count("|") == cols + 1
    assert md.count("**Answer:**") == sum(not e.choices for e in sheet.exercises)
    plain = make_worksheet(4, ALL, difficulty=2, answer_space=False).to_markdown()
    assert "**Answer:**" not in plain and "Name: ___" in plain
    html = sheet.to_html()
    assert html.count('<td width="56" height="34">') == sum(
        np.asarray(e.answer).size for e in sheet.exercises if np.ndim(e.answer) > 0
    )


def test_the_sheet_gives_no_answers_away():
    sheet = make_worksheet(12, ALL, difficulty=3)
    for doc in (sheet.to_markdown(), sheet.to_latex(), sheet.to_html()):
        assert "ANSWER KEY" not in doc and "Solution" not in doc
    md = sheet.to_markdown()
    for exercise in sheet.exercises:
        assert f"Answer: {exercise.answer_text}" not in md


def test_answer_key_says_answer_key_in_its_title_every_heading_and_every_page_header():
    sheet = make_worksheet(9, ALL, difficulty=2, title="Week 5")
    md = sheet.to_markdown(answers=True)
    assert md.startswith("# ANSWER KEY — Week 5")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert len(headings) == len(sheet.exercises)
    assert all(h.startswith("## ANSWER KEY — ") for h in headings)
    for exercise in sheet.exercises:
        assert f"Answer: {exercise.answer_text}" in md
    tex = sheet.to_latex(answers=True)
    assert "\\pagestyle{myheadings}" in tex  # the mark below is the header of every page
    assert "\\markright{ANSWER KEY --- Week 5 --- seed 9}" in tex
    assert "\\section*{ANSWER KEY --- Week 5}" in tex
    assert "\\markright{Week 5 --- seed 9}" in sheet.to_latex()
    assert "<title>ANSWER KEY — Week 5</title>" in sheet.to_html(answers=True)
    assert sheet.header(answers=True).startswith("ANSWER KEY")
    assert "ANSWER KEY" not in sheet.header()


def test_latex_of_every_topic_is_ascii_with_no_unknown_symbol():
    for level in (1, 2, 3):
        sheets = make_worksheets(3, 2, ALL, difficulty=level)
        for doc in (sheets.to_latex(), sheets.to_latex(answers=True)):
            assert doc.isascii() and "{?}" not in doc
            assert doc.count("\\begin{tabular}") == doc.count("\\end{tabular}")
            assert doc.count("\\[") == doc.count("\\]")


# ---------------------------------------------------------------------------------- variants


def test_copies_come_from_the_master_seed_reproducibly_each_printing_its_seed():
    a = make_worksheets(7, 5, ["output_size", "ridge", "pooling"], count=4)
    b = make_worksheets(7, 5, ["output_size", "ridge", "pooling"], count=4)
    assert a.seeds == b.seeds and len(set(a.seeds)) == 5
    assert a.to_markdown(answers=True) == b.to_markdown(answers=True)
    assert make_worksheets(8, 5, ["output_size"]).seeds != a.seeds
    for k, sheet in enumerate(a.sheets, start=1):
        assert (sheet.copy, sheet.copies, sheet.master_seed) == (k, 5, 7)
        # a copy is the single sheet its variant seed makes: enter that seed to get it again
        single = make_worksheet(sheet.seed, ["output_size", "ridge", "pooling"], 4)
        assert [e.to_markdown() for e in sheet.exercises] == [
            e.to_markdown() for e in single.exercises
        ]
        text = sheet.to_markdown()
        assert f"copy {k} of 5, variant seed {sheet.seed} (master seed 7)" in text.lower()
    # the copies differ from one another
    assert len({s.to_markdown().split("Name:")[1] for s in a.sheets}) == 5
    whole = a.to_markdown()
    assert whole.count("Name: ___") == 5 and whole.count("\n---\n") == 4


def test_the_key_lists_every_copy():
    sheets = make_worksheets(21, 4, ["param_count", "softmax_jacobian"])
    key = sheets.to_markdown(answers=True)
    assert key.count("# ANSWER KEY — ") >= 4
    for sheet in sheets.sheets:
        assert f"variant seed {sheet.seed}" in key
        for exercise in sheet.exercises:
            assert f"Answer: {exercise.answer_text}" in key
    tex = sheets.to_latex(answers=True)
    assert tex.count("\\markright{ANSWER KEY") == 4 and tex.count("\\newpage") >= 3


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: make_worksheets(1, 0), "copies"),
        (lambda: make_worksheets(1, 61), "copies"),
        (lambda: make_worksheets(1, "3"), "copies"),
        (lambda: make_worksheets(-1, 2), "seed"),
        (lambda: make_worksheets(1, 2, ["nope"]), "topics"),
        (lambda: make_worksheets(1, 2, count=51), "count"),
        (lambda: make_worksheets(1, 2, difficulty=4), "difficulty"),
    ],
)
def test_bad_set_arguments_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_sixty_copies_have_sixty_distinct_seeds():
    sheets = make_worksheets(2**40, 60, ["output_size"])
    assert len(set(sheets.seeds)) == 60 and all(0 <= s < 10**6 for s in sheets.seeds)


# ---------------------------------------------------------------------------------- Moodle XML

CLOZE = re.compile(r"\{1:NUMERICAL:=([^:}]+):([^}]+)\}")


def _exercise_of(sheets, name):
    match = re.match(r"Q(\d+)(?: copy (\d+))? ", name)
    number, copy = int(match.group(1)), int(match.group(2) or 1)
    return sheets[copy - 1].exercises[number - 1]


def _cells(exercise):
    arr = np.asarray(exercise.answer, dtype=float)
    return arr.reshape(-1)


def _tolerance(exercise):
    return 0.0 if exercise.decimals is None else 10.0**-exercise.decimals


def check_moodle(text, sheets):
    root = ET.fromstring(text.encode("utf-8"))  # well-formed, or this raises
    assert root.tag == "quiz"
    seen = []
    category = None
    for q in root.findall("question"):
        kind = q.get("type")
        if kind == "category":
            category = q.findtext("category/text")
            continue
        name = q.findtext("name/text")
        exercise = _exercise_of(sheets, name)
        seen.append(name)
        assert category is not None and category.startswith("$course$/top/")
        assert exercise.answer_text in q.findtext("generalfeedback/text")
        body = q.findtext("questiontext/text")
        if exercise.choices:
            assert kind == "multichoice"
            answers = q.findall("answer")
            right = [a.findtext("text") for a in answers if a.get("fraction") == "100"]
            assert len(answers) == len(exercise.choices)
            assert right == [exercise.choices[exercise.inputs["right"]]]
        elif np.ndim(exercise.answer) == 0:
            assert kind == "numerical"
            answer = q.find("answer")
            assert answer.get("fraction") == "100"
            assert float(answer.findtext("text")) == exercise.answer
            assert float(answer.findtext("tolerance")) == _tolerance(exercise)
        else:
            assert kind == "cloze"
            found = CLOZE.findall(body)
            values = np.array([float(v) for v, _ in found])
            assert values.shape == _cells(exercise).shape
            assert np.allclose(values, _cells(exercise), rtol=0, atol=1e-9)
            assert {float(t) for _, t in found} == {_tolerance(exercise)}
    return seen, root


def test_moodle_xml_of_one_sheet_parses_and_every_answer_equals_the_key():
    sheet = make_worksheet(5, ALL, difficulty=3, title='Quiz <1> & "2" ]]> {1:NUMERICAL:=9}')
    seen, root = check_moodle(sheet.to_moodle_xml(), [sheet])
    assert len(seen) == len(sheet.exercises)
    types = {q.get("type") for q in root.findall("question")}
    assert types == {"category", "numerical", "cloze", "multichoice"}
    # the hostile title stays text: one category, named as typed
    cats = [q.findtext("category/text") for q in root.findall("question[@type='category']")]
    assert cats == ['$course$/top/Quiz <1> & "2" ]]> {1:NUMERICAL:=9}']


def test_moodle_xml_of_copies_puts_each_question_in_its_own_category():
    sheets = make_worksheets(11, 3, ["convolution_stride", "output_size", "derivation_step"])
    seen, root = check_moodle(sheets.to_moodle_xml(), sheets.sheets)
    assert len(seen) == 9
    cats = [q.findtext("category/text") for q in root.findall("question[@type='category']")]
    assert len(cats) == 3 and cats[0].endswith("/Q01 Convolution by hand with a stride")


# ---------------------------------------------------------------------------------- GIFT


def _split_unescaped(text, chars):
    """Split at unescaped ``chars``, keeping the separator at the start of each part."""
    parts, current, k = [], "", 0
    while k < len(text):
        ch = text[k]
        if ch == "\\" and k + 1 < len(text):
            current += text[k : k + 2]
            k += 2
            continue
        if ch in chars:
            parts.append(current)
            current = ch
        else:
            current += ch
        k += 1
    parts.append(current)
    return parts


def _unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


def _find_unescaped(text, ch, start=0):
    k = start
    while k < len(text):
        if text[k] == "\\":
            k += 2
            continue
        if text[k] == ch:
            return k
        k += 1
    return -1


def read_gift(text):
    """A small GIFT reader: category, title, text and the parsed answer of each question."""
    questions, category = [], None
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("//")]
        if not lines:
            continue
        if lines[0].startswith("$CATEGORY:"):
            category = lines[0].split(":", 1)[1].strip()
            continue
        body = " ".join(lines)
        assert body.startswith("::")
        end = body.index("::", 2)
        while body[end - 1] == "\\":  # an escaped colon pair
            end = body.index("::", end + 1)
        title = _unescape(body[2:end])
        rest = body[end + 2 :]
        assert rest.startswith("[html]")
        rest = rest[6:]
        open_at = _find_unescaped(rest, "{")
        close_at = _find_unescaped(rest, "}", open_at)
        assert open_at > 0 and close_at == len(rest) - 1, rest[-80:]
        question_text = _unescape(rest[:open_at])
        answer = rest[open_at + 1 : close_at]
        general = ""
        if "####" in answer:
            answer, general = answer.split("####", 1)
        if answer.startswith("#"):
            value, tolerance = _split_unescaped(answer[1:], ":")
            parsed = ("numerical", float(_unescape(value)), float(tolerance[1:]))
        else:
            options = [p for p in _split_unescaped(answer.strip(), "=~") if p.strip()]
            parsed = (
                "choice",
                [(p[0] == "=", _unescape(p[1:]).strip()) for p in options],
                None,
            )
        questions.append((category, title, question_text, parsed, _unescape(general)))
    return questions


def check_gift(text, sheets):
    questions = read_gift(text)
    per_exercise = {}
    for category, title, _text, (kind, value, tol), general in questions:
        assert category.startswith("$course$/top/")
        base = re.sub(r" \[[\d,]+\]$", "", title)
        exercise = _exercise_of(sheets, base)
        assert exercise.answer_text in general
        per_exercise.setdefault(id(exercise), (exercise, []))[1].append((title, kind, value, tol))
    for exercise, items in per_exercise.values():
        if exercise.choices:
            ((_, kind, options, _),) = items
            assert kind == "choice"
            assert [o for _, o in options] == list(exercise.choices)
            assert [o for right, o in options if right] == [
                exercise.choices[exercise.inputs["right"]]
            ]
        else:
            assert all(kind == "numerical" for _, kind, _, _ in items)
            values = np.array([v for _, _, v, _ in items])
            assert np.allclose(values, _cells(exercise), rtol=0, atol=1e-9)
            assert {t for _, _, _, t in items} == {_tolerance(exercise)}
    return questions, per_exercise


def test_gift_of_one_sheet_reads_back_with_every_answer_equal_to_the_key():
    sheet = make_worksheet(5, ALL, difficulty=2, title="Week ~1 = #2 {x}: a\\b")
    questions, per_exercise = check_gift(sheet.to_gift(), [sheet])
    assert len(per_exercise) == len(sheet.exercises)
    cells = sum(1 if e.choices else np.asarray(e.answer).size for e in sheet.exercises)
    assert len(questions) == cells  # one numerical question per matrix cell
    assert {q[0] for q in questions} == {"$course$/top/Week ~1 = #2 {x}: a\\b"}
    assert {q[1].split(" — ")[0] for q in questions} >= {"Q01 Convolution by hand (valid padding)"}


def test_gift_escapes_every_special_character_in_titles_and_texts():
    sheet = make_worksheet(3, ["derivation_step", "output_size"], title="T")
    titles = [q[1] for q in read_gift(sheet.to_gift())]
    assert titles and all(t.startswith("Q0") for t in titles)
    # the derivation's options hold = and the texts hold : — read back exactly above; a string
    # full of specials survives the round trip too
    from engine.tutor._gift import gift_escape

    hostile = "a~b=c#d{e}f:g\\h"
    assert _unescape(gift_escape(hostile)) == hostile
    assert re.search(r"(?<!\\)[~=#{}:]", gift_escape(hostile).replace("\\\\", "")) is None


def test_gift_of_copies_reads_back():
    sheets = make_worksheets(13, 4, ["pooling", "cross_entropy_grad", "derivation_step"])
    questions, per_exercise = check_gift(sheets.to_gift(), sheets.sheets)
    assert len(per_exercise) == 12
    assert len({q[0] for q in questions}) == 3  # a category per question


# ---------------------------------------------------------------------------------- new topics


def brute_pool(x, size, stride, mode):
    n = (x.shape[0] - size) // stride + 1
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            window = [x[i * stride + a, j * stride + b] for a in range(size) for b in range(size)]
            out[i, j] = max(window) if mode == "max" else sum(window) / len(window)
    return out


def finite_difference_kernel_grad(x, kernel, g, stride):
    """∂L/∂K for L = Σ G ⊙ (X ⋆ K), by central differences (exact here: L is linear in K)."""

    def loss(k):
        out = brute_force_correlate(x, k, (0, 0, 0, 0), (stride, stride), (1, 1))
        return float((out * g).sum())

    grad = np.zeros(kernel.shape)
    for a in range(kernel.shape[0]):
        for b in range(kernel.shape[1]):
            step = np.zeros(kernel.shape)
            step[a, b] = 0.5
            grad[a, b] = loss(kernel + step) - loss(kernel - step)
    return grad


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_new_topics_have_the_right_answers_and_their_checks_accept_them(difficulty):
    for seed in range(6):
        conv = new_exercise("true_convolution", seed, difficulty)
        inp = conv.inputs
        assert inp["operation"] == "convolve"
        p = {"valid": 0, "same": 1}.get(inp["padding"], inp["padding"])
        flipped = inp["kernel"][::-1, ::-1].astype(float)
        ref = brute_force_correlate(inp["x"], flipped, (p,) * 4, (inp["stride"],) * 2, (1, 1))
        assert np.array_equal(conv.answer, ref) and conv.check(conv.answer).correct
        pool = new_exercise("pooling", seed, difficulty)
        i = pool.inputs
        assert np.allclose(pool.answer, brute_pool(i["x"], i["size"], i["stride"], i["mode"]))
        assert pool.check(pool.answer).correct
        if i["mode"] == "avg":
            assert pool.check(np.round(pool.answer, 2)).correct
        back = new_exercise("backward_kernel", seed, difficulty)
        b = back.inputs
        fd = finite_difference_kernel_grad(b["x"], b["kernel"], b["grad_out"], b["stride"])
        assert np.allclose(back.answer, fd, atol=1e-9) and back.check(back.answer).correct
        step = new_exercise("derivation_step", seed, difficulty)
        assert step.check(step.answer).correct
        assert step.check(step.answer.lower() + ")").correct
        assert step.check(step.choices[step.inputs["right"]]).correct  # the line typed out
        assert len(step.choices) == len(set(step.choices)) >= 2


def test_planted_slips_in_the_new_topics_are_named():
    from engine.tutor import diagnose_kernel_grad, diagnose_pooling

    x = np.array([[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 3], [7, 1, 2, 9]])
    assert diagnose_pooling(x, brute_pool(x, 2, 2, "avg"), size=2).codes[0] == "wrong_mode"
    d = diagnose_pooling(x, brute_pool(x, 2, 1, "max").astype(int), size=2)
    assert d.codes[0] == "stride" and "stride 1" in d.findings[0].message
    avg = diagnose_pooling(x, brute_pool(x, 2, 2, "avg") * 4, size=2, mode="avg")
    assert avg.codes[0] == "no_division"
    rng = np.random.default_rng(3)
    xx = rng.integers(-2, 5, (5, 5))
    k = np.array([[1, 0, -1], [2, 1, 0], [0, 0, 1]])
    g = rng.integers(-2, 3, (3, 3))
    right = finite_difference_kernel_grad(xx, k, g, 1).round().astype(int)
    assert diagnose_kernel_grad(xx, k, g, right).correct
    assert diagnose_kernel_grad(xx, k, g, right[::-1, ::-1]).codes[0] == "flipped_kernel"
    assert diagnose_kernel_grad(xx, k, g, right.T).codes[0] == "transposed"
    wrong = right.copy()
    wrong[1, 2] += 1
    d = diagnose_kernel_grad(xx, k, g, wrong)
    assert d.codes[0] == "arithmetic" and d.wrong_cells == [(1, 2)]
    assert "·" in d.findings[0].slips[0].work


def test_a_wrong_derivation_step_names_its_slip_and_the_key_gives_the_step():
    for seed in range(40):
        step = new_exercise("derivation_step", seed, 3)
        key = step.to_markdown(answers=True)
        right = step.inputs["right"]
        assert f"option {step.answer}: {step.choices[right]}" in key
        for k, (code, why) in enumerate(step.inputs["slips"]):
            if k == right:
                continue
            d = step.check("ABCD"[k])
            assert not d.correct and d.codes == [code] and why in d.findings[0].message
        assert step.check("Z").codes == ["not_an_option"]
        assert step.check("w = 42").codes == ["not_an_option"]


def test_the_sheet_quotient_rule_slip_is_an_option_of_its_step():
    found = False
    for seed in range(200):
        step = new_exercise("derivation_step", seed, 3)
        codes = [c for c, _ in step.inputs["slips"]]
        if "quotient_rule_slip" in codes and "e^(zᵢ)(1 − e^(zᵢ))" in " ".join(step.choices):
            found = True
            slip = step.check("ABCD"[codes.index("quotient_rule_slip")])
            assert "Σₖ e^(zₖ), not 1" in slip.findings[0].message
    assert found


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10**6), copies=st.integers(1, 3), level=st.sampled_from([1, 2, 3]))
def test_every_export_of_any_set_reads_back(seed, copies, level):
    sheets = make_worksheets(seed, copies, ALL, difficulty=level)
    check_moodle(sheets.to_moodle_xml(), sheets.sheets)
    check_gift(sheets.to_gift(), sheets.sheets)


def test_the_tutors_topics_are_unchanged_and_the_class_topics_follow_them():
    assert WORKSHEET_TOPICS[: len(TOPICS)] == TOPICS
    assert set(CLASS_TOPICS) == {
        "true_convolution",
        "pooling",
        "backward_kernel",
        "derivation_step",
    }
    # an old topic's exercise is the same as before the class topics were added (pinned from
    # the version before them)
    assert new_exercise("ridge", 3, 2).answer_text == "w = [−112/205, 92/205] ≈ [−0.546, 0.449]"
    assert new_exercise("softmax_jacobian", 3, 2).answer_text.startswith("J ≈ [0.007, −0.006")
