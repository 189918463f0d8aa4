"""Fixtures shared by the data tests."""
import pytest

from dlhelpers.data import mnist_5k


@pytest.fixture(scope="session")
def mnist():
    """MNIST 5k scaled to [0, 1] (5,000 digits, 28×28), made once for the whole run and read-only.

    ``mnist_5k`` parses its CSV once per process, so the tests that need another scaling (``value_range``,
    ``scale=False``) or a split made by a training script call the loaders directly at little cost.
    """
    d = mnist_5k()
    for arr in (d.X, d.y, d.images):
        arr.setflags(write=False)                    # shared by every test: a test that writes into it fails
    return d
