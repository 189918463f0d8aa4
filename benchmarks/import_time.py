"""How long `import dlhelpers.scratch` (all NumPy modules) takes in a fresh interpreter.

Runs 5 fresh interpreters and prints each time and the median, against the 0.3 s goal.

    python benchmarks/import_time.py
"""
import statistics
import subprocess
import sys

CODE = ("import time; t = time.perf_counter(); "
        "import dlhelpers.scratch.activations, dlhelpers.scratch.losses, dlhelpers.scratch.dense, "
        "dlhelpers.scratch.network, dlhelpers.scratch.layers, dlhelpers.scratch.callbacks, "
        "dlhelpers.scratch.conv, dlhelpers.scratch.pooling, dlhelpers.scratch.regularization, "
        "dlhelpers.scratch.optim, dlhelpers.scratch.perceptron, "
        "dlhelpers.scratch.gradcheck, dlhelpers.scratch.backprop_example; "
        "print(time.perf_counter() - t)")


def main():
    times = [float(subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True).stdout)
             for _ in range(5)]
    print("import dlhelpers.scratch.* (s):", ", ".join(f"{t:.3f}" for t in times))
    print(f"median {statistics.median(times):.3f} s (goal <= 0.3 s)")


if __name__ == "__main__":
    main()
