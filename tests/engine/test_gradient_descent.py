"""Gradient descent converges to the closed form; contours, diamond minimum and derivations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import gradient_descent, loss_grid, ridge_fit, ridge_solution, two_weight_problem
from engine.loss.derivations import ridge_derivation_html, softmax_derivation_html
from engine.loss.gradient_descent import l1_constrained_minimum, max_stable_learning_rate
from engine.loss.ridge import ridge_loss


@given(
    rho=st.floats(-0.95, 0.95),
    log_lam=st.floats(-4, 0),
    fraction=st.floats(0.1, 0.9),
    seed=st.integers(0, 500),
)
def test_descent_converges_to_the_closed_form(rho, log_lam, fraction, seed):
    X, y, _ = two_weight_problem(30, correlation=rho, seed=seed)
    lam = 10.0**log_lam
    eta = fraction * max_stable_learning_rate(X, lam)
    path = gradient_descent(X, y, lam, w0=[-3.0, 3.0], learning_rate=eta, steps=5000)
    assert not path.diverged
    np.testing.assert_allclose(path.minimiser, ridge_fit(X, y, lam))
    assert path.final_distance < 1e-6
    assert np.all(np.diff(path.losses) <= 1e-12)  # monotone below the stable rate
    assert path.losses[-1] == pytest.approx(ridge_loss(path.minimiser, X, y, lam), abs=1e-9)


def test_descent_path_first_step_by_hand_and_divergence():
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    y = np.array([1.0, 2.0])
    path = gradient_descent(X, y, 0.5, w0=[0.0, 0.0], learning_rate=0.1, steps=3)
    # ∇L(0) = (2/n)Xᵀ(−y) = −[1, 4]; w1 = 0.1·[1, 4]
    np.testing.assert_allclose(path.weights[1], [0.1, 0.4])
    assert path.weights.shape == (4, 2) and path.losses.shape == (4,)
    assert max_stable_learning_rate(X, 0.5) == pytest.approx(2 / (2 * 4 / 2 + 1))
    fast = gradient_descent(X, y, 0.5, w0=[1.0, 1.0], learning_rate=1.0, steps=10_000)
    assert fast.diverged and fast.weights.shape[0] < 10_001
    assert np.all(np.isfinite(fast.losses))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0.0}, "learning_rate must be > 0"),
        ({"learning_rate": -1.0}, "learning_rate must be finite"),
        ({"steps": -1}, "steps must be in 0…100000"),
        ({"w0": [1.0]}, "w0 must be 2 finite numbers"),
    ],
)
def test_descent_bad_arguments(kwargs, message):
    X, y, _ = two_weight_problem(10)
    args = {"w0": [0.0, 0.0], "learning_rate": 0.1, "steps": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        gradient_descent(X, y, 0.1, **args)


def test_loss_grid_matches_pointwise_loss():
    X, y, _ = two_weight_problem(25, correlation=0.5, seed=2)
    w1 = np.linspace(-1, 3, 7)
    w2 = np.linspace(-2, 2, 5)
    grid = loss_grid(X, y, 0.3, w1, w2)
    assert grid.shape == (5, 7)
    for i, b in enumerate(w2):
        for j, a in enumerate(w1):
            assert grid[i, j] == pytest.approx(ridge_loss([a, b], X, y, 0.3), rel=1e-12)


def test_l1_constrained_minimum_is_on_the_diamond_and_optimal():
    X, y, _ = two_weight_problem(40, correlation=0.8, seed=4)
    radius = 1.0
    w = l1_constrained_minimum(X, y, radius)
    assert np.abs(w).sum() == pytest.approx(radius)
    # brute force over the diamond boundary
    t = np.linspace(0, 1, 20001)
    corners = [np.array(c) for c in ((1, 0), (0, 1), (-1, 0), (0, -1), (1, 0))]
    pts = np.concatenate(
        [a + t[:, None] * (b - a) for a, b in zip(corners[:-1], corners[1:], strict=True)]
    )
    losses = [ridge_loss(p, X, y, 0.0) for p in pts[::50]]
    assert ridge_loss(w, X, y, 0.0) <= min(losses) + 1e-9
    inside = l1_constrained_minimum(X, y, 100.0)
    np.testing.assert_allclose(inside, ridge_fit(X, y, 0.0))


def test_derivations_substitute_numbers_and_note_the_slips():
    text = softmax_derivation_html([2.0, 1.0, 0.1], 0)
    assert "0.659" in text  # ŷ₁
    assert "0.417" in text  # the loss 0.41703
    assert "not</i> exp(z<sub>i</sub>)(1 − exp(z<sub>i</sub>))" in text
    assert "Σ<sub>k</sub> y<sub>k</sub> = 1" in text
    assert "exp(z<sub>i</sub>)(Σ<sub>k</sub>exp(z<sub>k</sub>)" in text
    extreme = softmax_derivation_html([1000.0, 0.0, -1000.0], [0.0, 0.5, 0.5])
    assert "nan" not in extreme.lower() and "inf" not in extreme.lower()
    assert "overflows" in softmax_derivation_html([0.0, 1000.0], 1)  # no overflow warning
    X, y, _ = two_weight_problem(10, seed=1)
    ridge = ridge_derivation_html(X, y, 0.1)
    w = ridge_solution(X, y, 0.1).weights
    assert f"{w[0]:.4g}" in ridge
    assert "not</i> a closed form: w appears on both sides" in ridge
    singular = ridge_derivation_html(np.ones((3, 2)), np.ones(3), 0.0)
    assert "minimum-norm" in singular


def test_polynomial_ridge_report_is_consistent():
    from engine.loss.regression_data import generate_data
    from engine.loss.ridge import polynomial_features
    from engine.loss.ridge_report import polynomial_ridge_report

    data = generate_data(15, 12, 0.1, "cubic", seed=7)
    report = polynomial_ridge_report(data, 5, 1e-3, true_key="cubic")
    X = polynomial_features(data.x_train, 5, center=report.center, scale=report.scale)
    np.testing.assert_allclose(report.solution.weights, ridge_fit(X, data.y_train, 1e-3))
    Xc = polynomial_features(report.curve_x, 5, center=report.center, scale=report.scale)
    np.testing.assert_allclose(report.curve_fit, Xc @ report.solution.weights)
    residual = X @ report.solution.weights - data.y_train
    assert report.train_mse == pytest.approx(np.mean(residual**2))
    assert report.coefficient_path.shape == (report.lams.size, 6)
    np.testing.assert_allclose(report.curve_true, report.curve_x**3 - 0.5 * report.curve_x)
    assert report.train_mse_unregularised <= report.train_mse  # λ = 0 fits training data best


def test_descent_scene_frames_the_path_and_shapes():
    from engine.loss.ridge_report import descent_scene

    X, y, _ = two_weight_problem(30, correlation=0.7, seed=3)
    path = gradient_descent(X, y, 0.5, w0=[-3.0, 4.0], learning_rate=0.1, steps=50)
    scene = descent_scene(X, y, 0.5, path, include_penalty=False)
    radius = np.linalg.norm(path.minimiser)
    assert scene.radius == pytest.approx(radius)
    np.testing.assert_allclose(np.linalg.norm(scene.circle, axis=1), radius)
    np.testing.assert_allclose(np.abs(scene.diamond).sum(axis=1), radius)
    for point in (path.weights[0], path.minimiser, scene.least_squares):
        assert scene.w1[0] <= point[0] <= scene.w1[-1] and scene.w2[0] <= point[1] <= scene.w2[-1]
    through = np.mean((X @ path.minimiser - y) ** 2)
    assert np.any(np.isclose(scene.levels, through))  # the contour that touches the circle
    full = descent_scene(X, y, 0.5, path, include_penalty=True)
    assert full.grid.min() >= path.min_loss - 1e-12
