"""Hand-written NumPy twins: forward and backward passes you can read on one screen.

Layouts follow Keras (channels-last, kernel ``(in, units)``). Forward functions return
``(out, cache)``; backward functions take ``(dout, cache)`` and return ``(dx, grads)``
with ``grads`` keyed like the parameters. Nothing here imports TensorFlow.
"""
