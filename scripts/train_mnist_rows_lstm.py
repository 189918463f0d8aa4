"""Train the row-by-row MNIST classifier of notebook III.9 and save it as a small checkpoint.

The model reads each 28×28 MNIST digit as a sequence of its 28 rows (T=28 steps of D=28 pixels):
``LSTM(64)`` then ``Dense(10, softmax)``, trained with Keras (Adam, learning rate 0.005, gradient
norm clipped at 1, batches of 64) on the training part of ``train_test_split(mnist_rows(),
test_size=0.2, rng=0)``, and tested on the held-out 1,000 digits.

The weights are saved in the scratch twin's layout, keyed ``"<layer>/<param>"`` (``lstm/kernel``
(28, 256), ``lstm/recurrent_kernel`` (64, 256), ``lstm/bias`` (256,), ``dense/kernel`` (64, 10),
``dense/bias`` (10,)), float32, about 100 kB: load them with
``Sequential([LSTM(64), Dense(10, "softmax")], input_shape=(28, 28)).set_params(dict(np.load(path)))``.

Usage (from the repository root)::

    python scripts/train_mnist_rows_lstm.py                      # writes data/checkpoints/mnist_rows_lstm.npz
    python scripts/train_mnist_rows_lstm.py --epochs 1 --limit 256 --out /tmp/quick.npz   # a quick check

Seeded (``--seed``, default 0): Keras's initial weights and shuffling come from
``keras.utils.set_random_seed`` and TensorFlow's ops run deterministically.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "checkpoints" / "mnist_rows_lstm.npz"

#: the checkpoint's architecture: recurrent units (the notebook builds the same scratch model)
UNITS = 64


def scratch_model():
    """The scratch twin the checkpoint is saved from and loaded into: LSTM(64) → Dense(10, softmax)."""
    from dlhelpers.scratch.network import LSTM, Dense, Sequential
    return Sequential([LSTM(UNITS), Dense(10, "softmax")], input_shape=(28, 28), rng=0)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12, help="passes over the training digits (default 12)")
    parser.add_argument("--limit", type=int, default=None, help="train on the first LIMIT training digits only")
    parser.add_argument("--seed", type=int, default=0, help="Keras's random seed (default 0)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if args.epochs < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--epochs and --limit must be positive integers")

    import numpy as np

    import dlhelpers.keras                       # quiet TensorFlow start-up, before keras is imported
    import keras
    import tensorflow as tf
    from dlhelpers.data import mnist_rows, train_test_split
    from dlhelpers.keras.network import model_from_scratch
    from dlhelpers.keras.weights import keras_to_scratch

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    train, test = train_test_split(mnist_rows(), test_size=0.2, rng=0)
    X, y = train.X[:args.limit], train.y[:args.limit]

    net = scratch_model()
    model = model_from_scratch(net, copy_weights=False)          # Keras initialises, seeded above
    model.compile(optimizer=keras.optimizers.Adam(0.005, clipnorm=1.0), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    t0 = time.perf_counter()
    model.fit(X, y, epochs=args.epochs, batch_size=64, verbose=2)
    seconds = time.perf_counter() - t0
    keras_acc = float(model.evaluate(test.X, test.y, verbose=0)[1])

    keras_to_scratch(model, net)
    net.compile("sparse_categorical_crossentropy", "adam")
    scratch_acc = net.evaluate(test.X, test.y)["accuracy"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **{k: v.astype(np.float32) for k, v in net.params.items()})
    print(f"trained on {len(X)} MNIST 5k row sequences for {args.epochs} epochs in {seconds:.0f} s; "
          f"test accuracy on {len(test.X)} held-out digits: Keras {keras_acc:.4f}, scratch copy {scratch_acc:.4f}; "
          f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} kB)")
    return {"keras_accuracy": keras_acc, "scratch_accuracy": scratch_acc, "seconds": seconds, "path": args.out}


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    sys.path.insert(0, str(ROOT))
    main()
