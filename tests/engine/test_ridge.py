"""Ridge regression against an independent least-squares solve, gradients, CSV loading."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st

from engine import (
    CsvFormatError,
    generate_data,
    load_xy_csv,
    max_abs_error,
    numerical_gradient,
    polynomial_features,
    ridge_fit,
    ridge_path,
    ridge_solution,
)
from engine.loss.regression_data import split_train_validation
from engine.loss.ridge import feature_scaling, mean_squared_error, ridge_gradient, ridge_loss


def _augmented_lstsq(X, y, lam):
    """Independent reference: min ‖[X/√n; √λ I] w − [y/√n; 0]‖² by scipy's LAPACK lstsq."""
    n, d = X.shape
    A = np.vstack([X / np.sqrt(n), np.sqrt(lam) * np.eye(d)])
    b = np.concatenate([y / np.sqrt(n), np.zeros(d)])
    return scipy.linalg.lstsq(A, b)[0]


@given(
    n=st.integers(1, 40),
    d=st.integers(1, 12),
    log_lam=st.floats(-6, 2),
    scale=st.floats(0.01, 100),
    seed=st.integers(0, 10_000),
)
def test_ridge_matches_augmented_least_squares(n, d, log_lam, scale, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * scale
    y = rng.standard_normal(n) * scale
    lam = 10.0**log_lam
    w = ridge_fit(X, y, lam)
    ref = _augmented_lstsq(X, y, lam)
    tol = 1e-7 * max(1.0, float(np.max(np.abs(ref))))
    assert max_abs_error(w, ref) < tol
    # Normal equations hold: (XᵀX + nλI)w = Xᵀy (residual relative to the terms' size).
    lhs = X.T @ X @ w + n * lam * w
    assert max_abs_error(lhs, X.T @ y) < 1e-8 * max(1.0, float(np.max(np.abs(X.T @ y))), scale**2)


@given(d=st.integers(1, 6), log_lam=st.floats(-4, 1), seed=st.integers(0, 1000))
def test_ridge_gradient_matches_finite_differences_and_vanishes_at_the_fit(d, log_lam, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((15, d))
    y = rng.standard_normal(15)
    lam = 10.0**log_lam
    w = rng.standard_normal(d)
    numeric = numerical_gradient(lambda v: ridge_loss(v, X, y, lam), w)
    assert max_abs_error(ridge_gradient(w, X, y, lam), numeric) < 1e-6
    w_star = ridge_fit(X, y, lam)
    assert np.max(np.abs(ridge_gradient(w_star, X, y, lam))) < 1e-10


def test_lambda_zero_full_rank_is_ordinary_least_squares():
    x = np.linspace(-1, 1, 20)
    X = polynomial_features(x, 3)
    y = np.cos(3 * x)
    np.testing.assert_allclose(
        ridge_fit(X, y, 0.0), np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-12
    )
    assert ridge_solution(X, y, 0.0).warning is None


def test_more_features_than_samples_with_lambda_zero():
    X = polynomial_features(np.linspace(-1, 1, 5), 9)  # 10 features, 5 samples
    y = np.arange(5.0)
    with pytest.raises(ValueError, match=r"more features \(10\) than samples \(5\).*lam > 0"):
        ridge_fit(X, y, 0.0)
    sol = ridge_solution(X, y, 0.0)
    assert "minimum-norm" in sol.warning and sol.rank == 5 and not sol.is_unique
    np.testing.assert_allclose(sol.weights, np.linalg.pinv(X) @ y, atol=1e-9)
    np.testing.assert_allclose(X @ sol.weights, y, atol=1e-9)  # interpolates
    # any λ > 0 is unique and close to the minimum-norm solution as λ → 0
    np.testing.assert_allclose(ridge_fit(X, y, 1e-12), sol.weights, atol=1e-4)


def test_collinear_columns_and_negative_lambda():
    x = np.linspace(0, 1, 8)
    X = np.column_stack([x, 2 * x])
    with pytest.raises(ValueError, match="rank 1 < 2 features"):
        ridge_fit(X, x, 0)
    with pytest.raises(ValueError, match="lam must be finite and ≥ 0"):
        ridge_fit(X, x, -0.1)
    with pytest.raises(ValueError, match="y must be 1-D with 8 entries"):
        ridge_fit(X, x[:3], 0.1)
    assert np.isinf(ridge_solution(X, x, 0).condition)


def test_ill_conditioned_system_gets_a_warning():
    x = np.linspace(0, 100, 30)  # raw powers up to x^12: hopeless conditioning
    X = np.vander(x, 13, increasing=True)
    sol = ridge_solution(X, np.sin(x), 0.0)
    assert sol.warning is not None


def test_ridge_path_matches_individual_fits_and_shrinks():
    data = generate_data(20, 10, 0.2, "sine2", seed=3)
    X = polynomial_features(data.x_train, 8)
    lams = np.array([0.0, 1e-6, 1e-3, 1e-1, 10.0])
    path = ridge_path(X, data.y_train, lams)
    for lam, row in zip(lams, path, strict=True):
        np.testing.assert_allclose(row, ridge_solution(X, data.y_train, lam).weights, atol=1e-10)
    norms = np.linalg.norm(path, axis=1)
    assert np.all(np.diff(norms) <= 1e-12)  # ‖w_λ‖ decreases as λ grows
    train = [mean_squared_error(X, w, data.y_train) for w in path]
    assert np.all(np.diff(train) >= -1e-12)  # and the training error increases


def test_generated_data_is_seeded_and_polynomial_scaling():
    a = generate_data(30, 10, 0.1, "runge", seed=5)
    b = generate_data(30, 10, 0.1, "runge", seed=5)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert a.x_train.size == 30 and a.x_val.size == 10
    assert np.all(np.diff(a.x_train) >= 0)
    center, scale = feature_scaling([2.0, 4.0, 10.0])
    assert (center, scale) == (6.0, 4.0)
    np.testing.assert_allclose(
        polynomial_features([2.0, 10.0], 2, center=6, scale=4), [[1, -1, 1], [1, 1, 1]]
    )
    with pytest.raises(ValueError, match="function must be one of"):
        generate_data(5, 5, 0.1, "nope")
    with pytest.raises(ValueError, match="noise must be finite"):
        generate_data(5, 5, -1, "sine")


def test_split_keeps_every_point_once():
    x = np.arange(10.0)
    data = split_train_validation(x, x * 2, 0.3, seed=1)
    assert data.x_val.size == 3 and data.x_train.size == 7
    np.testing.assert_array_equal(np.sort(np.concatenate([data.x_train, data.x_val])), x)
    np.testing.assert_array_equal(data.y_train, 2 * data.x_train)


def test_csv_loading(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("# comment\nx,y\n1, 2\n\n3;4\n5\t-6e1\n", encoding="utf-8")
    x, y = load_xy_csv(good)
    np.testing.assert_array_equal(x, [1, 3, 5])
    np.testing.assert_array_equal(y, [2, 4, -60])
    named = tmp_path / "named.csv"
    named.write_text("id,y,x\n1,10,0.5\n2,20,0.7\n", encoding="utf-8")
    x, y = load_xy_csv(named)
    np.testing.assert_array_equal(x, [0.5, 0.7])
    np.testing.assert_array_equal(y, [10, 20])


@pytest.mark.parametrize(
    ("content", "message", "line", "column"),
    [
        ("x,y\n1,2\n3,abc\n", "line 3, column 2: 'abc' is not a number", 3, 2),
        ("1,2\nnan,4\n", "line 2, column 1: 'nan' is not a number", 2, 1),
        ("1,2\n3\n", "line 2: expected at least 2 fields", 2, None),
        ("1,2\n1e999,3\n", "line 2, column 1: '1e999' is too large", 2, 1),
        ("1,2\n3,-2e200\n", "line 2, column 2: '-2e200' is too large", 2, 2),
        ("x,y\n1,2\n", "1 data row", None, None),
        ("", "0 data row", None, None),
    ],
)
def test_csv_errors_name_line_and_column(tmp_path, content, message, line, column):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CsvFormatError, match=message) as info:
        load_xy_csv(path)
    assert (info.value.line, info.value.column) == (line, column)


def test_csv_unreadable_files(tmp_path):
    with pytest.raises(CsvFormatError, match="does not exist"):
        load_xy_csv(tmp_path / "missing.csv")
    with pytest.raises(CsvFormatError, match="is a folder"):
        load_xy_csv(tmp_path)
    binary = tmp_path / "latin1.csv"
    binary.write_bytes(b"x,y\n1,\xe92\n")
    with pytest.raises(CsvFormatError, match="not UTF-8"):
        load_xy_csv(binary)
