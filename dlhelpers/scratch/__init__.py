"""Hand-written NumPy twins: forward and backward passes you can read on one screen.

Layouts follow Keras (channels-last, kernel ``(in, units)``). Forward functions return
``(out, cache)``; backward functions take ``(dout, cache)``, check ``dout`` against the cache
(same shape as ``out``) and return ``(dx, grads)`` with ``grads`` keyed like the parameters.
Caches with several arrays are frozen dataclasses (``ConvCache``, ``MaxPoolCache``, ...).
Nothing here imports TensorFlow.

Where things live: the math of each concept in its own module (``dense``, ``conv`` with its
transpose, ``upsampling``, ``pooling``, ``regularization``, ``activations``, ``losses``, ``rnn``,
``lstm``, ``gru``, ``attention``, ``gan``, ``autoencoder``, ``vae``, ...); every layer class in ``layers``
(except ``autoencoder.TiedDense``, which borrows an encoder layer's kernel); the training
callbacks in ``callbacks``; the ``Sequential`` model in ``network`` (which re-exports the layers
and callbacks, so ``from dlhelpers.scratch.network import Dense, Sequential`` works).
"""
