"""Property entries for the transposed convolution (dlhelpers.scratch.conv), upsampling (dlhelpers.scratch.upsampling)
and the generator layers of dlhelpers.scratch.layers (registered on import by specs.py).

The functions draw small images, kernels of 1 to 4 cells per side (k < s included) and both paddings, and check
the output's shape against Keras's sizes; the layers are trained for one epoch inside a small model, as the other
layer entries are.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlhelpers.scratch import conv, upsampling
from tests.property.contract import arrays, finite, images
from tests.property.specs import LAYER_CASES, _layer, _layer_check, backward_of, calls, record_of, spec

STRIDES = [1, 2, (1, 2), (3, 2)]


def _pair(v):
    return v if isinstance(v, tuple) else (v, v)


def _tconv_args(d):
    x = d.draw(images(max_n=2, max_hw=5, max_c=2), label="x")
    kh, kw = d.draw(st.integers(1, 4)), d.draw(st.integers(1, 4))
    kernel = d.draw(arrays((kh, kw, d.draw(st.integers(1, 2)), x.shape[-1]), -1, 1), label="kernel")
    bias = d.draw(arrays((kernel.shape[2],)), label="bias") if d.draw(st.booleans(), label="bias given") else None
    return (x, kernel, bias), {"strides": d.draw(st.sampled_from(STRIDES)),
                               "padding": d.draw(st.sampled_from(["valid", "same"]))}


def _tconv_out(result, args, kwargs):
    out = result[0]
    x, kernel = args[0], args[1]
    expected = tuple(conv.conv_transpose_output_size(n, k, s, kwargs["padding"])
                     for n, k, s in zip(x.shape[1:3], kernel.shape[:2], _pair(kwargs["strides"])))
    assert out.shape == (x.shape[0], *expected, kernel.shape[2]), (out.shape, expected)


def _backward_of_tconv():
    """conv2d_transpose_backward: the gradient keys depend on whether the drawn forward call had a bias."""
    base = backward_of("conv2d_transpose_forward", conv, _tconv_args, {"kernel", "bias"})

    def check(data, fn):
        args, kwargs = _tconv_args(data)
        keys = {"kernel", "bias"} if args[2] is not None else {"kernel"}
        backward_of("conv2d_transpose_forward", conv, lambda d: (args, kwargs), keys)(data, fn)

    check.is_backward, check.bad_cache = True, base.bad_cache
    check.forward_name, check.module, check.valid_forward = base.forward_name, base.module, base.valid_forward
    return check


spec("conv2d_transpose_forward")(calls(_tconv_args, out=_tconv_out))
spec("conv2d_transpose_backward")(_backward_of_tconv())
spec("ConvTransposeCache")(record_of(lambda d: conv.conv2d_transpose_forward(*_tconv_args(d)[0])))
spec("conv2d_transpose_steps")(calls(lambda d: ((d.draw(images(1, 4, 1))[0, :, :, 0], d.draw(arrays((3, 2), -1, 1))),
                                                {"strides": d.draw(st.sampled_from(STRIDES)),
                                                 "padding": d.draw(st.sampled_from(["valid", "same"]))}),
                                     consume=True))
spec("ConvTransposeFrame")(record_of(lambda d: list(conv.conv2d_transpose_steps(np.ones((2, 2)), np.ones((3, 3)), 2))))
spec("conv_transpose_output_size")(calls(lambda d: ((d.draw(st.integers(1, 30)), d.draw(st.integers(1, 6))),
                                                    {"stride": d.draw(st.integers(1, 4)),
                                                     "padding": d.draw(st.sampled_from(["valid", "same"]))})))


def _up_args(d):
    return (d.draw(images(max_n=2, max_hw=4, max_c=2), label="x"),), {
        "size": d.draw(st.sampled_from([1, 2, (1, 3), (2, 1)])), "interpolation": "nearest"}


def _up_out(result, args, kwargs):
    x, (r, c) = args[0], _pair(kwargs["size"])
    assert result[0].shape == (x.shape[0], x.shape[1] * r, x.shape[2] * c, x.shape[3])


spec("up_sampling2d_forward")(calls(_up_args, out=_up_out))
spec("up_sampling2d_backward")(backward_of("up_sampling2d_forward", upsampling, _up_args, set()))
spec("UpSamplingCache")(record_of(lambda d: upsampling.up_sampling2d_forward(*_up_args(d)[0])))


# --- the layers -------------------------------------------------------------------------------------------------

def _image_input(d):
    return d.draw(images(max_n=3, max_hw=4, max_c=2), label="x")


def _flat_input(d):
    return d.draw(arrays(st.tuples(st.integers(1, 4), st.integers(1, 3))), label="x")


def _then_dense(layer):
    return [layer, _layer("Flatten")(), _layer("Dense")(1)]


LAYER_CASES["Conv2DTranspose"] = (
    lambda d: {"filters": d.draw(st.integers(1, 2)), "kernel_size": d.draw(st.sampled_from([1, 2, 3, (3, 1)])),
               "strides": d.draw(st.sampled_from(STRIDES)), "padding": d.draw(st.sampled_from(["valid", "same"])),
               "activation": d.draw(st.sampled_from([None, "relu", "tanh", "leaky_relu"])),
               "use_bias": d.draw(st.booleans())},
    _image_input, _then_dense)
LAYER_CASES["UpSampling2D"] = (lambda d: {"size": d.draw(st.sampled_from([1, 2, (1, 2)])), "interpolation": "nearest"},
                               _image_input, _then_dense)
LAYER_CASES["Reshape"] = (lambda d: {"target_shape": d.draw(st.sampled_from([(-1,), (1, -1), (-1, 1), (1, 1, -1)]))},
                          _flat_input, _then_dense)
LAYER_CASES["LeakyReLU"] = (lambda d: {"negative_slope": d.draw(st.one_of(finite(0.0, 1.0), st.sampled_from([0.0, 0.3])))},
                            _flat_input, lambda l: [l, _layer("Dense")(1)])

for _name in ("Conv2DTranspose", "UpSampling2D", "Reshape", "LeakyReLU"):
    spec(_name)(_layer_check(_name))
