"""Callbacks of the scratch Sequential: hook order, bad callbacks, and the progress bar's saved state."""
import numpy as np
import pytest

from dlhelpers.data import xor
from dlhelpers.scratch.callbacks import HOOKS, Callback, History, LambdaCallback, ProgressBar, WeightHistory
from dlhelpers.scratch.network import Dense, Sequential


def _net():
    return Sequential([Dense(3, "tanh"), Dense(1, "sigmoid")], input_dim=2, rng=0).compile("mse", "sgd")


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin", dict(self.params)))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", sorted(logs)))


def test_hooks_run_in_order_with_params_and_logs():
    d = xor()
    rec = Recorder()
    net = _net()
    net.fit(d.X, d.y, epochs=2, batch_size=3, shuffle=False, callbacks=[rec])
    keys = ["accuracy", "full_loss", "learning_rate", "loss", "seconds"]
    assert rec.calls == [("train_begin", {"epochs": 2, "steps": 2, "batch_size": 3}),
                         ("epoch_begin", 0), ("batch_end", 0), ("batch_end", 1), ("epoch_end", 0, keys),
                         ("epoch_begin", 1), ("batch_end", 0), ("batch_end", 1), ("epoch_end", 1, keys),
                         ("train_end", keys)]
    assert rec.model is net


def test_history_and_weight_history():
    d = xor()
    wh = WeightHistory(every="batch")
    hist = _net().fit(d.X, d.y, epochs=3, batch_size=2, callbacks=[wh], validation_data=(d.X, d.y))
    assert isinstance(hist, History) and hist.epoch == [0, 1, 2]
    assert set(hist.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in hist.history.values())
    assert len(wh.snapshots) == 1 + 3 * 2                      # the start, then after each of 2 batches × 3 epochs
    assert not np.array_equal(wh.snapshots[0]["dense/kernel"], wh.snapshots[-1]["dense/kernel"])


@pytest.mark.parametrize("callbacks, match", [
    ([lambda epoch, logs: None], r"callbacks\[0\] must be a Callback .* for fit; got function\. "
                                 r"Wrap a function in a LambdaCallback, e.g\. LambdaCallback\(on_epoch_end=<lambda>\)"),
    (print, r"callbacks\[0\] must be a Callback .*got builtin_function_or_method"),
    ([History(), "history"], r"callbacks\[1\] must be a Callback .*got str\. Pass e\.g\. WeightHistory\(\)"),
    (History, r"callbacks\[0\] must be a Callback .*got type"),
])
def test_a_plain_function_as_callback_is_a_clear_type_error(callbacks, match):
    d = xor()
    with pytest.raises(TypeError, match=match):
        _net().fit(d.X, d.y, epochs=1, callbacks=callbacks)


def test_lambda_callback_checks_names_and_functions():
    seen = []
    cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    d = xor()
    _net().fit(d.X, d.y, epochs=3, callbacks=cb)                 # a single callback is accepted as is
    assert seen == [0, 1, 2]
    with pytest.raises(ValueError, match="hook names must be one of 'on_train_begin'"):
        LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match="on_epoch_end must be callable for LambdaCallback"):
        LambdaCallback(on_epoch_end="print")
    assert set(HOOKS) == {n for n in vars(Callback) if n.startswith("on_")}


def test_fit_checks_its_flags():
    d = xor()
    with pytest.raises(TypeError, match="progress must be True or False for fit"):
        _net().fit(d.X, d.y, progress="yes")
    with pytest.raises(TypeError, match="shuffle must be True or False for fit"):
        _net().fit(d.X, d.y, shuffle=1)
    with pytest.raises(TypeError, match=r"validation_data must be a pair \(x_val, y_val\) for fit"):
        _net().fit(d.X, d.y, validation_data=d.X)


def test_progress_bar_in_a_terminal(capsys):
    d = xor()
    bar = ProgressBar(desc="training")
    _net().fit(d.X, d.y, epochs=4, batch_size=None, callbacks=[bar])
    assert bar.summary.startswith("training: 100%") and "4/4" in bar.summary and "loss=" in bar.summary
    assert "4/4" in capsys.readouterr().err                   # tqdm writes its text bar to stderr
    _net().fit(d.X, d.y, epochs=2, progress=True)              # fit's own bar: no error outside IPython
    with pytest.raises(TypeError, match="desc must be a string for ProgressBar"):
        ProgressBar(desc=3)


def test_progress_bar_leaves_its_final_state_in_a_saved_notebook():
    """Run fit(progress=True) in a real kernel: the saved output is the final line, not a widget at 0 %."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from pathlib import Path
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from dlhelpers.data import xor\n"
        "from dlhelpers.scratch.network import Dense, Sequential\n"
        "d = xor()\n"
        "net = Sequential([Dense(4, 'tanh'), Dense(1, 'sigmoid')], input_dim=2, rng=0).compile('mse', 'sgd')\n"
        "h = net.fit(d.X, d.y, epochs=7, batch_size=None, progress=True)")]
    root = Path(__file__).resolve().parents[2]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(root)}}).execute()
    outputs = nb.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["display_data"], outputs
    data = outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" not in data     # no live widget left behind
    assert data["text/plain"].startswith("epochs: 100%") and "7/7" in data["text/plain"]
    assert "loss=" in data["text/plain"] and "acc=" in data["text/plain"]
