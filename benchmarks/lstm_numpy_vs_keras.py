"""LSTM speed: NumPy forward + backward (dlhelpers.scratch.lstm) vs Keras, from one run.

    python benchmarks/lstm_numpy_vs_keras.py             # idle machine
    python benchmarks/lstm_numpy_vs_keras.py --busy 2    # idle, then with 2 busy neighbour processes

Each row times one forward pass through every step and the backward pass giving dx and the three
weight gradients, float32, for the same weights and the same upstream gradient (the results are
checked to agree first). NumPy and Keras are timed alternately in short rounds (median over the
rounds), so that a slow spell of a shared machine does not fall on one side only. The Keras columns are

* ``compiled``: a ``tf.function`` computing the layer's output and its gradients under
  ``tf.GradientTape`` (no optimizer update), traced once before timing;
* ``eager``: the same in eager mode.

Sizes: B=32, T=50, D=8, U=32 and B=64, T=28, D=28, U=64 (MNIST rows). The course's goal: NumPy
forward+backward no slower than the compiled Keras step at the first size. Times are medians
within this one process; ratios are NumPy / Keras (below 1: NumPy faster).
"""
import statistics
import time

import numpy as np

from busy import busy_count, idle_and_busy, load_line, median_time, print_side_by_side

ROUNDS = 7
SIZES = {"B32 T50 D8 U32": (32, 50, 8, 32), "B64 T28 D28 U64": (64, 28, 28, 64)}


def problem(B, T, D, U):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, D)).astype(np.float32)
    params = {"kernel": (rng.standard_normal((D, 4 * U)) / np.sqrt(D)).astype(np.float32),
              "recurrent_kernel": (rng.standard_normal((U, 4 * U)) / np.sqrt(U)).astype(np.float32),
              "bias": np.zeros(4 * U, np.float32)}
    dout = rng.standard_normal((B, T, U)).astype(np.float32)
    return x, params, dout


def keras_step(tf, layer, xt, dt, variables):
    """The layer's output and the gradients of Σ out·dout with respect to x and the weights (no update)."""
    def step():
        with tf.GradientTape() as tape:
            tape.watch(xt)
            out = layer(xt)
            target = tf.reduce_sum(out * dt)
        return (out, *tape.gradient(target, [xt, *variables]))
    return step


def builders():
    """measure() for idle_and_busy: {row: (NumPy s, compiled Keras s)} and the eager times on the side."""
    import dlhelpers.keras  # noqa: F401  (quiet TensorFlow)
    import tensorflow as tf
    from dlhelpers._blas import single_thread_blas
    from dlhelpers.keras.lstm import lstm_layer
    from dlhelpers.scratch.lstm import lstm_backward, lstm_forward

    cases = {}
    for row, size in SIZES.items():
        x, params, dout = problem(*size)
        layer = lstm_layer(params)
        xt, dt = tf.constant(x), tf.constant(dout)
        variables = [layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias]

        step = keras_step(tf, layer, xt, dt, variables)
        compiled = tf.function(step)               # no arguments: the tensors and variables are closed over

        def numpy_step(x=x, params=params, dout=dout):
            with single_thread_blas():
                out, cache = lstm_forward(x, params)
                return (out, *lstm_backward(dout, cache))

        # the three agree before anything is timed
        out, dx, g = numpy_step()
        k_out, k_dx, *k_g = [t.numpy() for t in compiled()]
        assert np.allclose(out, k_out, atol=1e-4) and np.allclose(dx, k_dx, atol=1e-3)
        for key, kg in zip(("kernel", "recurrent_kernel", "bias"), k_g):
            assert np.allclose(g[key], kg, rtol=1e-3, atol=1e-2), key
        cases[row] = (numpy_step, lambda c=compiled: [t.numpy() for t in c()], lambda s=step: [t.numpy() for t in s()])

    eager = {}

    def measure():
        result = {}
        for row, (np_fn, compiled_fn, eager_fn) in cases.items():
            # NumPy and Keras alternate in short rounds, so a slow spell of the machine hits both alike;
            # each time is the median over the rounds (TensorFlow's pool threads get 0.2 s to park first)
            np_times, tf_times = [], []
            for _ in range(ROUNDS):
                time.sleep(0.2)
                np_times.append(median_time(np_fn, repeat=5, warmup=1))
                tf_times.append(median_time(compiled_fn, repeat=5, warmup=1))
            result[row] = (statistics.median(np_times), statistics.median(tf_times))
            eager.setdefault(row, []).append(median_time(eager_fn, repeat=5, warmup=1))
        return result
    return measure, eager


def main():
    n_busy = busy_count(__doc__)
    measure, eager = builders()
    print(load_line())
    results = idle_and_busy(measure, n_busy) if n_busy else {"idle": measure()}
    if n_busy:
        print_side_by_side(results, n_busy, ours="NumPy", reference="Keras tf.function",
                           goals={"B32 T50 D8 U32": (1.0, None)})
    else:
        for row, (o, r) in results["idle"].items():
            print(f"{row:18} NumPy {o * 1e3:7.2f} ms   Keras tf.function {r * 1e3:7.2f} ms   ratio {o / r:5.2f}×")
    for row, times in eager.items():
        np_idle = results["idle"][row][0]
        print(f"{row:18} Keras eager GradientTape {times[0] * 1e3:7.2f} ms idle; NumPy / eager {np_idle / times[0]:5.2f}×")
    print("goal: NumPy forward+backward no slower than the compiled Keras step at B32 T50 D8 U32 (ratio <= 1)")


if __name__ == "__main__":
    main()
