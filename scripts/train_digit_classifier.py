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
    python scripts/train_digit_classifier.py --anomalous 9   # writes data/checkpoints/digit_classifier_without_9.npz

With ``--anomalous D [D ...]`` the same network and recipe learn only the *normal* digits of the anomaly split of
notebook V.6, ``anomaly_split(mnist_5k(value_range=(-1, 1)), anomalous=(D, ...), rng=0)``: its training part
(60 % of each normal digit, 2,700 digits for D = 9), with one softmax output per normal digit. The file then
also holds ``classes`` (the digits of the outputs). The script prints the accuracy on the normal test digits
and the AUROC of the anomaly score 1 − max p(y | x) on the validation and test parts, where the held-out digits
D are the anomalies. It refuses a list that leaves fewer than two normal digits, and an ``--out`` that is the
10-digit classifier's checkpoint (the one behind ``digit_fd``, ``class_coverage`` and ``inception_score``).

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


def _ten_digit_checkpoints() -> set:
    """Where the 10-digit classifier lives: this repository's default, and the one dlhelpers reads (DLHELPERS_DATA)."""
    from dlhelpers.data.course import data_dir
    from dlhelpers.metrics import DIGIT_CLASSIFIER_CHECKPOINT
    return {DEFAULT_OUT.resolve(), (data_dir() / DIGIT_CLASSIFIER_CHECKPOINT).resolve()}


def held_out_split():
    """(train, test) Datasets: ``train_test_split(mnist_5k(value_range=(-1, 1)), test_size=0.2, rng=0)``."""
    from dlhelpers.data import mnist_5k, train_test_split
    return train_test_split(mnist_5k(value_range=(-1, 1)), test_size=0.2, rng=0)


def anomaly_parts(anomalous):
    """(train, val, test) of ``anomaly_split(mnist_5k(value_range=(-1, 1)), anomalous, rng=0)``, as in V.6."""
    from dlhelpers.data import mnist_5k
    from dlhelpers.data.corrupt import anomaly_split
    return tuple(anomaly_split(mnist_5k(value_range=(-1, 1)), anomalous=anomalous, val_size=0.2, test_size=0.2,
                               rng=0))


def uncertainty(classifier, images):
    """The anomaly score 1 − max_y p(y | x) of each image: high when the classifier is unsure of every class."""
    return 1.0 - classifier.predict_proba(images).max(axis=1)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12, help="passes over the training digits (default 12)")
    parser.add_argument("--limit", type=int, default=None, help="train on the first LIMIT training digits only")
    parser.add_argument("--seed", type=int, default=0, help="Keras's random seed (default 0)")
    parser.add_argument("--anomalous", type=int, nargs="+", default=None, metavar="D",
                        help="learn only the other digits of V.6's anomaly split (e.g. --anomalous 9)")
    parser.add_argument("--out", type=Path, default=None, help=f"output file (default {DEFAULT_OUT}, or "
                        "digit_classifier_without_D.npz beside it with --anomalous)")
    args = parser.parse_args(argv)
    bad = [f"--{name} {value}" for name, value in (("epochs", args.epochs), ("limit", args.limit))
           if value is not None and value < 1]
    if bad:
        parser.error(f"--epochs and --limit must be positive integers; got {', '.join(bad)}")
    if args.anomalous is not None:
        bad = [d for d in args.anomalous if not 0 <= d <= 9]
        if bad:
            parser.error(f"--anomalous takes digits 0-9; got {bad} in {args.anomalous}")
        normal = sorted(set(range(10)) - set(args.anomalous))
        if len(normal) < 2:
            parser.error(f"--anomalous must leave at least 2 normal digits for the classifier to tell apart; got "
                         f"{args.anomalous}, which leaves {normal}. Hold out at most 8 digits, e.g. --anomalous 9")
    if args.out is None:
        args.out = DEFAULT_OUT if args.anomalous is None else DEFAULT_OUT.with_name(
            "digit_classifier_without_" + "_".join(str(d) for d in sorted(set(args.anomalous))) + ".npz")
    elif args.anomalous is not None and args.out.resolve() in _ten_digit_checkpoints():
        parser.error(f"--out must not be the 10-digit classifier's checkpoint {args.out} with --anomalous "
                     f"{' '.join(map(str, args.anomalous))}: it would replace the classifier behind digit_fd, "
                     "class_coverage and inception_score. Leave --out out (digit_classifier_without_D.npz) or "
                     "choose another file")

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
    if args.anomalous is None:
        train, test = held_out_split()
        classes = np.arange(10)
    else:
        train, val, test = anomaly_parts(tuple(args.anomalous))
        classes = np.array(sorted(set(train.y.tolist())))
    X = train.images[:args.limit, :, :, None].astype(np.float32)            # (N, 28, 28, 1) in [−1, 1]
    y = np.searchsorted(classes, train.y[:args.limit])                      # output index of each digit
    normal = np.ones(len(test), bool) if args.anomalous is None else ~test.is_anomaly     # the digits it learned
    X_test = test.images[normal][:, :, :, None].astype(np.float32)
    y_test = np.searchsorted(classes, test.y[normal])

    net = digit_classifier_network(num_classes=len(classes))
    model = model_from_scratch(net, copy_weights=False)          # Keras initialises, seeded above
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    t0 = time.perf_counter()
    model.fit(X, y, epochs=args.epochs, batch_size=64, verbose=2)
    seconds = time.perf_counter() - t0
    keras_acc = float(model.evaluate(X_test, y_test, verbose=0)[1])

    keras_to_scratch(model, net)
    classifier = DigitClassifier(net, classes=classes)
    scratch_acc = classifier.accuracy(X_test, test.y[normal])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    saved = {k: v.astype(np.float32) for k, v in net.params.items()}
    if args.anomalous is not None:
        saved["classes"] = classes
    np.savez_compressed(args.out, **saved)
    total = time.perf_counter() - t_start
    which = "" if args.anomalous is None else "normal "
    print(f"trained on {len(X)} MNIST 5k digits for {args.epochs} epochs in {seconds:.0f} s ({total:.0f} s in all); "
          f"accuracy on {len(X_test)} held-out {which}digits: Keras {keras_acc:.4f}, scratch copy {scratch_acc:.4f}; "
          f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} kB)")
    result = {"keras_accuracy": keras_acc, "scratch_accuracy": scratch_acc, "seconds": seconds, "path": args.out}
    if args.anomalous is not None:
        from dlhelpers.metrics import anomaly_summary
        for name, part in (("validation", val), ("test", test)):
            result[f"{name}_auroc"] = anomaly_summary(uncertainty(classifier, part.images), part.is_anomaly).auroc
        print(f"anomaly score 1 - max p(y|x), digits {sorted(set(args.anomalous))} anomalous: AUROC "
              f"{result['validation_auroc']:.4f} on the validation part, {result['test_auroc']:.4f} on the test part")
    return result


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    sys.path.insert(0, str(ROOT))
    main()
