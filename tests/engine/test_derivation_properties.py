"""Check my derivation, property-based: equal rewrites are all ✓, a changed step is caught."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.derivation import check_derivation

_LEAVES = st.sampled_from(["z_1", "z_2", "a", "b", "2", r"\hat{y}_1", "y_3", r"e^{z_4}"])


def _combine(children):
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: f"({p[0]} + {p[1]})"),
        pair.map(lambda p: f"{p[0]} \\cdot {p[1]}"),
        pair.map(lambda p: f"\\frac{{{p[0]}}}{{1 + {p[1]}^2}}"),
        children.map(lambda c: f"e^{{{c}}}" if "e^" not in c else f"({c})^2"),
    )


EXPRESSIONS = st.recursive(_LEAVES, _combine, max_leaves=5)

#: Rewrites that keep the value: (template, needs the value to be a product-friendly term).
REWRITES = [
    "({}) + 0",
    r"1 \cdot ({})",
    r"\frac{{2({})}}{{2}}",
    "({}) + a - a",
    "-(-({}))",
    r"\frac{{({}) e^{{z_2}}}}{{e^{{z_2}}}}",
    r"({}) + \sum_k \hat{{y}}_k - 1",
]


@settings(max_examples=40, deadline=None)
@given(EXPRESSIONS, st.lists(st.sampled_from(REWRITES), min_size=1, max_size=4))
def test_a_chain_of_equal_rewrites_is_all_correct(expression, rewrites):
    lines = [expression]
    for template in rewrites:
        lines.append("= " + template.format(lines[-1].removeprefix("= ")))
    result = check_derivation(lines)
    assert all(step.ok for step in result.steps), [s.message for s in result.steps]
    assert result.first_wrong is None


@settings(max_examples=30, deadline=None)
@given(EXPRESSIONS, st.sampled_from(["+ 1", r"\cdot 2", "+ z_3", "- a"]))
def test_a_changed_step_is_the_first_wrong_one(expression, change):
    lines = [expression, f"= ({expression}) + 0", f"= ({expression}) {change}"]
    result = check_derivation(lines)
    assert result.first_wrong == 2
    assert result.findings and result.findings[0].step == 2
