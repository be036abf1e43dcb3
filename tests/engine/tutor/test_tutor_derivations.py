"""The derivation_step exercises read their derivations from resources/data/derivations.json."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from engine.tutor import new_exercise
from engine.tutor._derivations import DERIVATIONS_FILE, derivations, parse_derivations


def _shipped() -> dict:
    text = resources.files("resources").joinpath(DERIVATIONS_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def test_the_shipped_file_holds_the_four_derivations():
    table = derivations()
    assert [d.derives.split(",")[0] for d in table] == [
        "the softmax derivative on the diagonal",
        "the softmax derivative off the diagonal",
        "the gradient of the cross-entropy through softmax",
        "the ridge-regression minimiser in closed form",
    ]
    for d in table:
        assert 0 not in d.steps and all(1 <= n < len(d.lines) for n in d.steps)
        for n, (why, slips) in d.steps.items():
            assert why and slips
            assert all(s.line != d.lines[n] for s in slips)  # a slip is never the right line
            assert len({s.line for s in slips}) == len(slips)


def test_an_exercise_offers_the_files_right_line_and_slips():
    table = derivations()
    for seed in range(12):
        ex = new_exercise("derivation_step", seed, 3)
        owner = next(d for d in table if d.derives in ex.question)
        right = ex.choices[ex.inputs["right"]]
        step = owner.lines.index(right)
        assert {s.line for s in owner.steps[step][1]} >= set(ex.choices) - {right}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("derivations"), r"derivations must be a non-empty list"),
        (lambda d: d["derivations"][1].update(lines=["only one"]), r"derivations\[1\]\.lines "),
        (lambda d: d["derivations"][0]["steps"][0].update(line=0), r"steps\[0\]\.line must be"),
        (lambda d: d["derivations"][0]["steps"][0].update(line=True), r"line must be an integer"),
        (lambda d: d["derivations"][0]["steps"][1].update(line=1), r"line 1 is asked twice"),
        (
            lambda d: d["derivations"][2]["steps"][0]["slips"][1].update(slip=""),
            r"derivations\[2\]\.steps\[0\]\.slips\[1\]\.slip must be a non-empty string",
        ),
        (lambda d: d["derivations"][3].update(derives=7), r"derivations\[3\]\.derives"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_place(change, message):
    doc = copy.deepcopy(_shipped())
    change(doc)
    with pytest.raises(ValueError, match=message):
        parse_derivations(json.dumps(doc))


def test_text_that_is_not_json_is_refused():
    with pytest.raises(ValueError, match="text is not JSON"):
        parse_derivations("{derivations: []")
    with pytest.raises(ValueError, match="JSON object"):
        parse_derivations("[1, 2]")
