"""Parameter counts worked by hand for the classic architectures."""
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401
import keras  # noqa: E402
from dlhelpers.keras import architectures as arch  # noqa: E402


def test_lenet5():
    # c1 (5·5·1+1)·6 = 156, c3 (5·5·6+1)·16 = 2,416, c5 401·120 = 48,120, f6 121·84 = 10,164, out 85·10 = 850
    assert arch.lenet5().count_params() == 156 + 2416 + 48120 + 10164 + 850 == 61706


def test_vgg_block_stack():
    m = arch.vgg((32, 32, 3), blocks=((32, 2), (64, 2)), dense=(128,))
    assert m.count_params() == 896 + 9248 + 18496 + 36928 + 4097 * 128 + 129 * 10
    assert arch.vgg((32, 32, 3), batch_norm=True).count_params() > m.count_params()


def test_inception_module():
    m = arch.inception_net()
    assert m.output.shape[1:] == (28, 28, 256)
    assert m.count_params() == 12352 + 18528 + 110720 + 3088 + 12832 + 6176


def test_residual_blocks_and_resnet():
    x = keras.Input((8, 8, 16))
    ident = keras.Model(x, arch.residual_block(x, 16))
    proj = keras.Model(x, arch.residual_block(x, 32, strides=2))
    assert ident.count_params() == 2 * 9 * 16 * 16 + 2 * 4 * 16
    assert proj.count_params() == 9 * 16 * 32 + 9 * 32 * 32 + 2 * 4 * 32 + 16 * 32 + 4 * 32
    assert proj.output.shape[1:] == (4, 4, 32)
    assert not any("proj" in l.name for l in ident.layers)
    assert arch.resnet().count_params() == 19994


def test_plain_and_residual_nets_have_the_same_weights():
    p, r = arch.plain_net(depth=6), arch.plain_net(depth=6, residual=True)
    assert p.count_params() == r.count_params()
    assert sum(isinstance(l, keras.layers.Add) for l in r.layers) == 3


def test_cnn_builder():
    m = arch.cnn((28, 28, 1), filters=(32, 64), dense=128, dropout=0.3, batch_norm=True)
    names = [l.name for l in m.layers]
    import numpy as np
    assert "bn1" in names and "dropout" in names and m(np.zeros((1, 28, 28, 1))).shape == (1, 10)
