import numpy as np
import pytest

from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error


def test_numerical_gradient_of_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_gradient(lambda: float(np.sum(x ** 3)), x)       # d/dx x³ = 3x²
    np.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-8)
    g1 = numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)  # one-argument form
    np.testing.assert_allclose(g1, np.cos(x), rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])     # restored after perturbing


def test_relative_error():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0)
    assert 1e-9 < relative_error([1.0], [1.0 + 1e-8]) < 1e-8


def test_bad_input():
    with pytest.raises(TypeError, match="x must be a float NumPy array"):
        numerical_gradient(lambda: 0.0, [1, 2])
    with pytest.raises(TypeError, match="f must be callable"):
        numerical_gradient(3, np.zeros(2))
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))


def test_input_is_restored_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f():
        calls.append(x.copy())
        if len(calls) == 3:                          # fails while x[1] is perturbed
            raise ZeroDivisionError("boom")
        return float(np.sum(x))

    with pytest.raises(ZeroDivisionError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(calls[2], [1.0, 2.0 + 1e-5, 3.0])     # it was perturbed ...
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])                   # ... and is restored


@pytest.mark.parametrize("f, x, exc, match", [
    (lambda: "a", np.zeros(2), TypeError, "f must return a number for numerical_gradient; got str"),
    (lambda v: v * 2, np.zeros(2), TypeError, "f must return a number .*got ndarray"),
    (lambda v: float(np.log(v[0])), np.zeros(1), ValueError, "f must stay finite around x"),
    (lambda: 0.0, np.array([np.nan]), ValueError, "x must be finite"),
])
def test_more_bad_input(f, x, exc, match):
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(exc, match=match):
            numerical_gradient(f, x)


def test_zero_size_input_gives_an_empty_gradient():
    x = np.zeros((2, 0))
    g = numerical_gradient(lambda: 0.0, x)
    assert g.shape == (2, 0)
