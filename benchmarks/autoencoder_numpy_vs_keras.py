"""Autoencoder speed: NumPy training epochs (dlhelpers.scratch) vs Keras, and PSNR/SSIM vs scikit-image, one run.

    python benchmarks/autoencoder_numpy_vs_keras.py             # idle machine
    python benchmarks/autoencoder_numpy_vs_keras.py --busy 2    # idle, then with 2 busy neighbour processes

Data: MNIST 5k (``dlhelpers.data.mnist_5k_split``): the 4,000 training digits, pixels in [0, 1], float32.
Each training row is one epoch over them, batch 128 (31 full batches and one of 32), no shuffling, so both
sides see the same batches in the same order; a step is forward + loss + backward + Adam update (lr 1e-3):

* ``dense AE mse`` / ``dense AE bce``: ``dense_autoencoder`` 784-128-32-128-784 (ReLU, sigmoid output),
  loss mse or binary cross-entropy (read from the logits on both sides);
* ``conv AE transpose`` / ``conv AE nearest``: ``conv_autoencoder`` with its defaults (filters (16, 32),
  code 16, mse), decoder with transposed convolutions or nearest upsampling + convolutions;
* ``dense VAE``: ``build_dense_vae`` with its defaults (784-256-[2 μ, 2 log σ²], decoder 2-256-784, Bernoulli
  likelihood), −ELBO, fresh noise ε every step on both sides.

NumPy: the scratch model's ``fit(x, epochs=E, batch_size=128, shuffle=False)``. Keras: its twin
(``autoencoder_from_scratch`` / ``vae_from_scratch``: same layers, weights and optimizer settings), the same
``fit`` call (a compiled ``tf.function`` train step, traced by a warm-up fit before timing; fit's own set-up
per call is included, spread over E = 2 epochs for the dense models, 1 for the convolutional ones). Before anything is
timed, the two twins' loss and gradients on the first batch are checked to agree (same weights, same ε).
NumPy and Keras alternate in short rounds (median per epoch over the rounds), so that a slow spell of a
shared machine does not fall on one side only.

The last two rows score 1,000 pairs of 28×28 digits (the held-out digits against copies with Gaussian noise
σ = 0.2, seed 0): ``dlhelpers.metrics.mean_ssim`` (win_size 7, data_range 1) and ``mean_psnr`` against a
Python loop of ``skimage.metrics.structural_similarity`` / ``peak_signal_noise_ratio`` with the same settings;
the largest difference of the 1,000 values is printed too (it should be ~0).

Ratios are NumPy / reference (below 1: NumPy faster), from this one run; there is no goal to meet, and no
time is asserted.
"""
import statistics
import time

import numpy as np

from busy import busy_count, idle_and_busy, load_line, median_time

BATCH = 128
#: (epochs per timed fit, rounds): the small models take two epochs a round, the convolutional ones one.
SMALL, CONV = (2, 5), (1, 3)
PAIRS = 1000
SIGMA = 0.2


def _fit_time(fit, epochs):
    t0 = time.perf_counter()
    fit(epochs)
    return (time.perf_counter() - t0) / epochs


def _close(a, b, what):
    """The twins agree: float32 on both sides, so a loose tolerance relative to the largest value."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.max(np.abs(b)), 1e-12)
    assert np.max(np.abs(a - b)) <= 1e-3 * scale, f"{what}: NumPy and Keras differ by {np.max(np.abs(a - b)):.3g}"


def training_cases():
    """{row: (numpy_fit(epochs), keras_fit(epochs), (epochs, rounds))} after checking that the twins agree."""
    import dlhelpers.keras  # noqa: F401  (quiet TensorFlow)
    import keras
    from dlhelpers.data import mnist_5k_split
    from dlhelpers.keras.autoencoder import autoencoder_from_scratch
    from dlhelpers.keras.vae import vae_from_scratch, vae_gradients
    from dlhelpers.scratch.autoencoder import conv_autoencoder, dense_autoencoder
    from dlhelpers.scratch.vae import build_dense_vae

    keras.utils.set_random_seed(0)
    train, _ = mnist_5k_split()
    flat = train.X.astype(np.float32)                              # (4000, 784) in [0, 1]
    images = flat.reshape(-1, 28, 28, 1)                           # (4000, 28, 28, 1)
    print(train.describe())

    autoencoders = {
        "dense AE mse": (dense_autoencoder(784, hidden=(128,), latent_dim=32, loss="mse", rng=0, dtype=np.float32),
                         flat, SMALL),
        "dense AE bce": (dense_autoencoder(784, hidden=(128,), latent_dim=32, loss="binary_crossentropy", rng=0,
                                           dtype=np.float32), flat, SMALL),
        "conv AE transpose": (conv_autoencoder(upsampling="transpose", rng=0, dtype=np.float32), images, CONV),
        "conv AE nearest": (conv_autoencoder(upsampling="nearest", rng=0, dtype=np.float32), images, CONV),
    }
    cases = {}
    for row, (ae, x, sched) in autoencoders.items():
        km = autoencoder_from_scratch(ae)                          # same weights, compiled with the twin Adam
        loss, grads = ae.loss_and_grads(x[:BATCH])
        k_loss, k_grads = km.loss_and_grads(x[:BATCH])
        _close(loss, k_loss, f"{row} loss")
        for key, g in grads.items():
            _close(g, k_grads[key], f"{row} gradient {key}")
        warm = x[:BATCH + 32]                                      # both batch shapes of the epoch: traced once
        ae.fit(warm, batch_size=BATCH, shuffle=False)
        km.fit(warm, warm, batch_size=BATCH, shuffle=False, verbose=0)
        cases[row] = (lambda e, ae=ae, x=x: ae.fit(x, epochs=e, batch_size=BATCH, shuffle=False),
                      lambda e, km=km, x=x: km.fit(x, x, epochs=e, batch_size=BATCH, shuffle=False, verbose=0),
                      sched)

    vae = build_dense_vae(784, rng=0, dtype=np.float32)
    kv = vae_from_scratch(vae, seed=0)
    eps = vae.noise(BATCH, rng=1)
    logs, grads = vae.gradients(flat[:BATCH], eps)
    k_logs, k_grads = vae_gradients(kv, flat[:BATCH], eps)
    _close(logs["loss"], k_logs["loss"], "VAE loss")
    for key, g in grads.items():
        _close(g, k_grads[key], f"VAE gradient {key}")
    warm = flat[:BATCH + 32]
    vae.fit(warm, batch_size=BATCH, shuffle=False, rng=0)
    kv.fit(warm, batch_size=BATCH, shuffle=False, verbose=0)
    cases["dense VAE"] = (lambda e: vae.fit(flat, epochs=e, batch_size=BATCH, shuffle=False, rng=0),
                          lambda e: kv.fit(flat, epochs=e, batch_size=BATCH, shuffle=False, verbose=0), SMALL)
    return cases


def metric_cases():
    """{row: (ours(), scikit-image loop())} and the largest differences of the per-image values."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    from dlhelpers.data import gaussian_noise, mnist_5k_split
    from dlhelpers.metrics import mean_psnr, mean_ssim

    _, test = mnist_5k_split()
    refs = test.images[:PAIRS].astype(np.float64)                          # (1000, 28, 28) in [0, 1]
    noisy = gaussian_noise(refs, SIGMA, rng=0)                             # clipped to [0, 1]

    def sk_ssim():
        return np.array([structural_similarity(a, b, win_size=7, data_range=1.0) for a, b in zip(refs, noisy)])

    def sk_psnr():
        return np.array([peak_signal_noise_ratio(a, b, data_range=1.0) for a, b in zip(refs, noisy)])

    def ours_ssim():
        return mean_ssim(refs, noisy, data_range=1.0, win_size=7)[1]

    def ours_psnr():
        return mean_psnr(refs, noisy, data_range=1.0)[1]

    diffs = {"SSIM": float(np.max(np.abs(ours_ssim() - sk_ssim()))),
             "PSNR": float(np.max(np.abs(ours_psnr() - sk_psnr())))}
    cases = {f"SSIM {PAIRS} pairs": (ours_ssim, sk_ssim), f"PSNR {PAIRS} pairs": (ours_psnr, sk_psnr)}
    return cases, diffs


def builders():
    """measure() for idle_and_busy: {row: (NumPy s, reference s)}, and each row's reference's name."""
    training = training_cases()
    metrics, diffs = metric_cases()
    reference = {**{row: "Keras fit" for row in training}, **{row: "skimage loop" for row in metrics}}

    def measure():
        result = {}
        for row, (np_fit, k_fit, (epochs, rounds)) in training.items():
            # NumPy and Keras alternate, one short round each, so a slow spell of the machine hits both alike;
            # each time is the median per epoch over the rounds (TensorFlow's pool threads get 0.2 s to park)
            np_times, k_times = [], []
            for _ in range(rounds):
                time.sleep(0.2)
                np_times.append(_fit_time(np_fit, epochs))
                k_times.append(_fit_time(k_fit, epochs))
            result[row] = (statistics.median(np_times), statistics.median(k_times))
        for row, (ours, theirs) in metrics.items():
            o_times, r_times = [], []
            for _ in range(7):
                o_times.append(median_time(ours, repeat=1, warmup=0))
                r_times.append(median_time(theirs, repeat=1, warmup=0))
            result[row] = (statistics.median(o_times), statistics.median(r_times))
        return result
    return measure, reference, diffs


def print_table(results, reference, n_busy):
    """One line per row: NumPy time, the reference's time and their ratio, idle (and busy, side by side)."""
    width = max(len(row) for row in reference) + 2
    name_width = max(len(name) for name in reference.values())

    def cell(ours, ref, name):
        return f"NumPy {ours * 1e3:8.1f} ms  {name:{name_width}} {ref * 1e3:8.1f} ms  {ours / ref:5.2f}×"

    cell_width = len(cell(1.0, 1.0, ""))
    if n_busy:
        busy_label = f"{n_busy} busy neighbour{'s' if n_busy != 1 else ''}"
        print(f"{'':{width}}{'idle':^{cell_width}} | {busy_label:^{cell_width}}".rstrip())
    for row, (o, r) in results["idle"].items():
        line = f"{row:{width}}{cell(o, r, reference[row])}"
        if n_busy:
            line += " | " + cell(*results["busy"][row], reference[row])
        print(line)


def main():
    n_busy = busy_count(__doc__)
    measure, reference, diffs = builders()
    print(f"epoch = 4,000 digits, batch {BATCH}, float32, Adam; {PAIRS} digit pairs for SSIM/PSNR  [{load_line()}]")
    # the busy neighbours must outlive the busy measurement (about twice the idle one)
    results = idle_and_busy(measure, n_busy, max_seconds=900.0) if n_busy else {"idle": measure()}
    print_table(results, reference, n_busy)
    print(f"largest |ours − scikit-image| of the {PAIRS} values: SSIM {diffs['SSIM']:.1e}, "
          f"PSNR {diffs['PSNR']:.1e} dB  [{load_line()} at the end]")
    print("ratio = NumPy / reference (below 1: NumPy faster); medians over alternating rounds of this one run")


if __name__ == "__main__":
    main()
