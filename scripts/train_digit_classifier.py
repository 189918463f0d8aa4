"""Train the digit classifier behind the GAN and autoencoder scores and save it as a small checkpoint.

The model is :func:`dlhelpers.metrics.digit_classifier_network`: Conv2D(16, 3, relu) → MaxPooling2D(2) →
Conv2D(32, 3, relu) → MaxPooling2D(2) → Flatten → Dense(64, relu) → Dense(10, softmax), on 28×28×1 images
in [−1, 1] (``mnist_5k(value_range=(-1, 1))``, the scale of a tanh generator). It is trained with Keras
(Adam, learning rate 0.001, batches of 64, 12 epochs) on the 4,000 training digits of
``train_test_split(mnist_5k(value_range=(-1, 1)), test_size=0.2, rng=0)`` and tested on the 1,000 held-out
digits (stratified: 100 of each class; MNIST 5k is sorted by class, so its last 1,000 would be 8s and 9s).

The weights are saved in the scratch twin's layout, keyed ``"<layer>/<param>"`` (``conv2d/kernel``
(3, 3, 1, 16), ``conv2d_1/kernel`` (3, 3, 16, 32), ``dense/kernel`` (800, 64), ``dense_1/kernel``
(64, 10) and their biases), float32, about 200 kB; :func:`dlhelpers.metrics.digit_classifier` loads them.

Usage (from the repository root)::

    python scripts/train_digit_classifier.py                 # writes data/checkpoints/digit_classifier.npz
    python scripts/train_digit_classifier.py --epochs 1 --limit 512 --out /tmp/quick.npz   # a quick check

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
DEFAULT_OUT = ROOT / "data" / "checkpoints" / "digit_classifier.npz"


def held_out_split():
    """(train, test) Datasets: ``train_test_split(mnist_5k(value_range=(-1, 1)), test_size=0.2, rng=0)``."""
    from dlhelpers.data import mnist_5k, train_test_split
    return train_test_split(mnist_5k(value_range=(-1, 1)), test_size=0.2, rng=0)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12, help="passes over the training digits (default 12)")
    parser.add_argument("--limit", type=int, default=None, help="train on the first LIMIT training digits only")
    parser.add_argument("--seed", type=int, default=0, help="Keras's random seed (default 0)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if args.epochs < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--epochs and --limit must be positive integers")

    t_start = time.perf_counter()
    import numpy as np

    import dlhelpers.keras                       # quiet TensorFlow start-up, before keras is imported
    import keras
    import tensorflow as tf
    from dlhelpers.keras.network import model_from_scratch
    from dlhelpers.keras.weights import keras_to_scratch
    from dlhelpers.metrics import DigitClassifier, digit_classifier_network

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    train, test = held_out_split()
    X = train.images[:args.limit, :, :, None].astype(np.float32)            # (N, 28, 28, 1) in [−1, 1]
    y = train.y[:args.limit]
    X_test = test.images[:, :, :, None].astype(np.float32)

    net = digit_classifier_network()
    model = model_from_scratch(net, copy_weights=False)          # Keras initialises, seeded above
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    t0 = time.perf_counter()
    model.fit(X, y, epochs=args.epochs, batch_size=64, verbose=2)
    seconds = time.perf_counter() - t0
    keras_acc = float(model.evaluate(X_test, test.y, verbose=0)[1])

    keras_to_scratch(model, net)
    scratch_acc = DigitClassifier(net).accuracy(X_test, test.y)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **{k: v.astype(np.float32) for k, v in net.params.items()})
    total = time.perf_counter() - t_start
    print(f"trained on {len(X)} MNIST 5k digits for {args.epochs} epochs in {seconds:.0f} s ({total:.0f} s in all); "
          f"accuracy on {len(X_test)} held-out digits: Keras {keras_acc:.4f}, scratch copy {scratch_acc:.4f}; "
          f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} kB)")
    return {"keras_accuracy": keras_acc, "scratch_accuracy": scratch_acc, "seconds": seconds, "path": args.out}


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    sys.path.insert(0, str(ROOT))
    main()
