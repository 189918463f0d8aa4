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
