"""Derivation text: float noise prints as 0, the sheet's z, no nested exponents, no colours."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engine.loss.derivations import ridge_derivation_html, softmax_derivation_html
from engine.loss.softmax import softmax_jacobian

logits = st.lists(
    st.floats(-20, 20, allow_nan=False, allow_infinity=False), min_size=2, max_size=10
)


def _row_sum_text(html_text: str) -> str:
    match = re.search(r"row 0 sums to (.+?)\.</p>", html_text)
    assert match, "the row-sum sentence is missing"
    return match.group(1)


def test_row_sum_of_float_noise_prints_zero():
    z = [2.0, 1.0, 0.1, -1.0, 0.5]
    jac = softmax_jacobian(z)
    assert jac[0].sum() != 0  # the float sum is noise (≈ 1e−17), not exactly 0
    assert _row_sum_text(softmax_derivation_html(z, 0)) == "0"


@given(logits)
def test_row_sum_is_always_zero_up_to_rounding(z):
    assert _row_sum_text(softmax_derivation_html(z, 0)) == "0"


def test_formulas_use_the_sheets_z_at_temperature_one_and_s_otherwise():
    plain = softmax_derivation_html([2.0, 1.0, 0.1], 0)
    assert "∂ŷ<sub>i</sub>/∂z<sub>j</sub>" in plain and "exp(z<sub>k</sub>)" in plain
    assert "∂ŷ<sub>i</sub>/∂s<sub>j</sub>" not in plain
    scaled = softmax_derivation_html([2.0, 1.0, 0.1], 0, temperature=2.0)
    assert "∂ŷ<sub>i</sub>/∂s<sub>j</sub>" in scaled and "s = z/T" in scaled


def test_no_nested_scripts_and_no_colours_in_the_engine_html():
    texts = [
        softmax_derivation_html([2.0, 1.0, 0.1], 0),
        softmax_derivation_html([0.0, 1000.0], 1),
        ridge_derivation_html(np.ones((3, 2)), np.ones(3), 0.0),
    ]
    for text in texts:
        assert not re.search(r"<sup>[^<]*<sub>", text), "a subscript inside a superscript"
        assert "color" not in text and not re.search(r"#[0-9a-fA-F]{6}", text)
        assert 'class="warning"' in text
