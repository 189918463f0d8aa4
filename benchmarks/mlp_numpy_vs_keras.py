"""NumPy MLP vs Keras MLP on the sklearn digits: time per epoch and held-out accuracy.

Same architecture (64-64-10, ReLU, softmax), same optimizer (Adam, lr 0.005), batch 32, 30 epochs,
80/20 stratified split. Prints one table and the time ratio from this single run.

    python benchmarks/mlp_numpy_vs_keras.py
"""
import time

import numpy as np

from dlhelpers.data import digits, train_test_split
from dlhelpers.scratch.network import Dense, Sequential

EPOCHS = 30


def main():
    train, test = train_test_split(digits(), test_size=0.2, rng=0)
    net = Sequential([Dense(64, "relu"), Dense(10, "softmax")], input_dim=64, rng=0)
    net.compile("sparse_categorical_crossentropy", "adam", learning_rate=0.005)
    t0 = time.perf_counter()
    hist = net.fit(train.X, train.y, epochs=EPOCHS, batch_size=32, rng=0)
    np_epoch = (time.perf_counter() - t0) / EPOCHS
    np_acc = net.evaluate(test.X, test.y)["accuracy"]

    import dlhelpers.keras  # noqa: F401  (quiet TensorFlow)
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(train.X, train.y, epochs=1, batch_size=32, verbose=0)          # build and trace once
    t0 = time.perf_counter()
    model.fit(train.X, train.y, epochs=EPOCHS, batch_size=32, verbose=0)
    k_epoch = (time.perf_counter() - t0) / EPOCHS
    k_acc = model.evaluate(test.X, test.y, verbose=0)[1]

    print(digits().describe())
    print(f"{'':<26}{'NumPy':>10}{'Keras':>10}")
    print(f"{'ms per epoch (1,437 rows)':<26}{np_epoch * 1e3:>10.1f}{k_epoch * 1e3:>10.1f}")
    print(f"{'test accuracy (360 rows)':<26}{np_acc:>10.3f}{k_acc:>10.3f}")
    print(f"{'parameters':<26}{net.count_params():>10}{model.count_params():>10}")
    print(f"ratio NumPy epoch / Keras epoch: {np_epoch / k_epoch:.2f} (below 1: NumPy faster)")
    print(f"NumPy final training loss {hist.history['loss'][-1]:.4f}")


if __name__ == "__main__":
    main()
