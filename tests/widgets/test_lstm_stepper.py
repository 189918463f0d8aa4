"""The LSTM gate stepper: its state against the scratch LSTM/GRU/SimpleRNN, its shell clicked headlessly."""
import subprocess
import sys
import time

import numpy as np
import pytest

from dlhelpers.scratch.gru import gru_backward, gru_forward
from dlhelpers.scratch.lstm import lstm_backward, lstm_cell_forward, lstm_forward, lstm_gate_trace
from dlhelpers.scratch.rnn import simple_rnn_backward, simple_rnn_forward
from dlhelpers.widgets.lstm_state import (DEFAULT_TEXT, MAX_STEPS, PARTS, SEQUENCES, TYPED, LSTMStepperState,
                                          default_params, parse_sequence)

MEMORY = "memory task: 1, then 19 small values"


def _walk(s):
    """Every frame from the start: (frame, shown values) pairs."""
    s.reset()
    out = []
    while not s.at_end:
        f = s.next()
        out.append((f, s.shown()))
    return out


# --- the state -------------------------------------------------------------------------------------

def test_state_counts_next_back_and_reset():
    s = LSTMStepperState()
    assert s.T == 20 and s.units == 2 and len(s.frames) == 20 * 7 and s.current is None
    assert [s.next().part for _ in range(8)] == ["inputs", "f", "i", "g", "c", "o", "h", "inputs"]
    assert s.current.t == 1 and s.position == 7
    assert s.back().part == "h" and s.current.t == 0            # Back undoes Next
    assert s.next().part == "inputs" and s.current.t == 1
    assert s.reset() is None and s.position == -1 and s.shown() == {}
    s.configure(mode="backward")
    assert [f.t for f in s.frames] == list(range(19, -1, -1)) and s.position == -1
    s.configure(cell="GRU", mode="forward")
    assert len(s.frames) == 20 * 5 and [f.part for f in s.frames[:5]] == list(PARTS["GRU"])
    s.configure(cell="SimpleRNN")
    assert len(s.frames) == 20 * 3 and s.next().part == "inputs"


def test_shown_values_are_lstm_gate_traces_numbers():
    s = LSTMStepperState()
    tr = lstm_gate_trace(s.x, default_params("LSTM", 1))
    order = PARTS["LSTM"]
    for frame, shown in _walk(s):
        t = frame.t
        np.testing.assert_array_equal(shown["x"], s.x[t])
        np.testing.assert_array_equal(shown["h_prev"], tr.h_prev[t])
        np.testing.assert_array_equal(shown["c_prev"], tr.c_prev[t])
        done = order[1:order.index(frame.part) + 1]
        for name in ("f", "i", "g", "c", "o", "h"):
            if name in done:
                np.testing.assert_array_equal(shown[name], getattr(tr, name)[t])
            else:
                assert name not in shown                        # not computed yet at this part
    # the history chart: h of step t counts once its "h" part is reached
    s.goto(7 * 3 + 5)                                           # t = 3, part "o"
    t_last, states = s.history()
    assert t_last == 2 and set(states) == {"c", "h"}
    s.next()
    assert s.history()[0] == 3


def test_default_weights_remember_the_first_value():
    s = LSTMStepperState()
    c = s.trace["c"]
    # unit 0: input gate open at t = 0 only, forget gate ≈ 1, so c keeps what came in first
    assert s.trace["i"][0, 0] > 0.99 and np.all(s.trace["i"][1:, 0] < 0.05) and np.all(s.trace["f"][:, 0] > 0.99)
    assert c[0, 0] > 0.9 and np.all(np.abs(c[:, 0] - c[0, 0]) < 0.05)
    # unit 1 follows the input and forgets at once
    assert abs(c[-1, 1]) < 0.2


def test_forcing_f_to_zero_makes_c_equal_i_times_g():
    s = LSTMStepperState()
    s.goto(30)
    s.configure(force="f", force_value=0.0)
    assert s.position == 30 and s.forced == ("f", 0.0)         # the effect shows at once, where we are
    tr = s.trace
    np.testing.assert_array_equal(tr["f"], 0.0)
    np.testing.assert_allclose(tr["c"], tr["i"] * tr["g"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(tr["h"], tr["o"] * np.tanh(tr["c"]), rtol=0, atol=1e-15)
    p = default_params("LSTM", 1)
    for t in range(s.T):                                        # i, g, o are the LSTM's own, from the forced states
        _, _, cache = lstm_cell_forward(s.x[t:t + 1], tr["h_prev"][t:t + 1], tr["c_prev"][t:t + 1], p)
        for name in ("i", "g", "o"):
            np.testing.assert_allclose(tr[name][t], getattr(cache, name)[0], rtol=1e-14)
    assert abs(tr["c"][-1, 0]) < 0.05 < s.trace["i"][0, 0]      # unit 0 forgot the first value
    s.goto(4)                                                  # the "c" part at t = 0 shows the forced gate
    assert s.shown()["f"].tolist() == [0.0, 0.0]
    s.configure(force="off")
    assert s.forced is None and s.trace["c"][-1, 0] > 0.9


def test_forcing_f_to_one_keeps_c_accumulating():
    s = LSTMStepperState(force="f", force_value=1.0)
    tr = s.trace
    np.testing.assert_allclose(tr["c"][1:], tr["c"][:-1] + (tr["i"] * tr["g"])[1:], rtol=0, atol=1e-15)
    np.testing.assert_allclose(tr["c"], np.cumsum(tr["i"] * tr["g"], axis=0), rtol=1e-12)
    s = LSTMStepperState(sequence=TYPED, text="1, 1, 1, 1", force="f", force_value=1.0)
    assert np.all(np.diff(s.trace["c"], axis=0) > 0.5)         # every 1 adds ≈ i·g to c: it keeps growing


def test_forcing_i_or_o():
    s = LSTMStepperState(force="i", force_value=0.0)
    np.testing.assert_array_equal(s.trace["c"], 0.0)            # nothing ever written
    s.configure(force="o", force_value=0.0)
    np.testing.assert_array_equal(s.trace["h"], 0.0)            # nothing shown, though c remembers
    assert s.trace["c"][-1, 0] > 0.9


def _suffix_grads(run, backward, s, params, t, with_c):
    """∂L/∂h_t (and ∂L/∂c_t) for L = Σ h_{T−1}: the gradient w.r.t. the initial state of the run over x[t+1:]."""
    tr = s.trace
    kw = {"h0": tr["h"][t:t + 1]}
    if with_c:
        kw["c0"] = tr["c"][t:t + 1]
    h_seq, cache = run(s.x[None, t + 1:], params, **kw)
    dh_seq = np.zeros_like(h_seq)
    dh_seq[:, -1] = 1.0
    _, grads = backward(dh_seq, cache)
    return grads["h0"][0], (grads["c0"][0] if with_c else None)


def test_backward_gradients_equal_scratch_lstm_backward():
    s = LSTMStepperState(mode="backward")
    p, T, tr = default_params("LSTM", 1), s.T, s.trace
    np.testing.assert_array_equal(s.grad_h[-1], 1.0)
    tc = np.tanh(tr["c"][-1])
    np.testing.assert_allclose(s.grad_c[-1], tr["o"][-1] * (1 - tc ** 2), rtol=1e-14)
    for t in range(T - 1):
        dh, dc = _suffix_grads(lstm_forward, lstm_backward, s, p, t, True)
        np.testing.assert_allclose(s.grad_h[t], dh, rtol=1e-10, atol=1e-15)
        # c0 of the suffix run reaches L only through c_{t+1}; c_t also reaches it through h_t = o⊙tanh(c_t)
        tc = np.tanh(tr["c"][t])
        np.testing.assert_allclose(s.grad_c[t], dc + dh * tr["o"][t] * (1 - tc ** 2), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(s.grad_norms["LSTM ‖∂L/∂c_t‖"], np.linalg.norm(s.grad_c, axis=1), rtol=1e-14)


def test_backward_norms_of_simple_rnn_and_gru_equal_scratch():
    s = LSTMStepperState(mode="backward")
    for cell, run, backward in (("SimpleRNN", simple_rnn_forward, simple_rnn_backward),
                                ("GRU", gru_forward, gru_backward)):
        p = default_params(cell, 1)
        other = LSTMStepperState(cell=cell, mode="backward")
        expected = [np.linalg.norm(_suffix_grads(run, backward, other, p, t, False)[0]) for t in range(s.T - 1)]
        np.testing.assert_allclose(s.grad_norms[f"{cell} ‖∂L/∂h_t‖"][:-1], expected, rtol=1e-10)
        np.testing.assert_allclose(other.grad_norms[f"{cell} ‖∂L/∂h_t‖"], s.grad_norms[f"{cell} ‖∂L/∂h_t‖"])


def test_lstm_gradient_stays_alive_where_simple_rnn_dies():
    s = LSTMStepperState(mode="backward")
    lstm, rnn = s.grad_norms["LSTM ‖∂L/∂c_t‖"], s.grad_norms["SimpleRNN ‖∂L/∂h_t‖"]
    print(f"\n‖∂L/∂c_0‖ LSTM = {lstm[0]:.3g}, ‖∂L/∂h_0‖ SimpleRNN = {rnn[0]:.3g} over {s.T} steps")
    assert s.T == 20
    assert np.all(lstm[:10] > rnn[:10])                         # 10 and more steps back the LSTM's is larger
    assert lstm[0] > 0.3 and rnn[0] < 0.05 and lstm[0] > 10 * rnn[0]
    assert lstm[0] / lstm[-1] > 10 * rnn[0] / rnn[-1]           # relative to where each started
    assert lstm[0] > 0.9 * lstm[-5]                             # flat along the cell state (15 steps)
    assert rnn[0] < 0.05 * rnn[-5]                              # shrinking step after step
    assert np.all(np.diff(rnn) > 0)


def test_forced_forget_gate_cuts_or_keeps_the_cell_path_backward():
    s = LSTMStepperState(mode="backward", force="f", force_value=0.0)
    tc = np.tanh(s.trace["c"])
    # f = 0: nothing comes back along the cell state, only through h_t
    np.testing.assert_allclose(s.grad_c, s.grad_h * s.trace["o"] * (1 - tc ** 2), rtol=1e-12, atol=1e-18)
    s.configure(force_value=1.0)
    tc = np.tanh(s.trace["c"])
    np.testing.assert_allclose(s.grad_c[:-1], s.grad_c[1:] + (s.grad_h * s.trace["o"] * (1 - tc ** 2))[:-1],
                               rtol=1e-12)


def test_gru_and_simple_rnn_values_match_scratch():
    s = LSTMStepperState(cell="GRU")
    h_seq, cache = gru_forward(s.x[None], default_params("GRU", 1))
    for frame, shown in _walk(s):
        if frame.part == "hh":
            np.testing.assert_array_equal(shown["hh"], cache.hh[0, frame.t])
            assert {"z", "r", "hh"} <= set(shown) and "h" not in shown
        if frame.part == "h":
            np.testing.assert_array_equal(shown["h"], h_seq[0, frame.t])
    assert s.forced is None and s.history()[1].keys() == {"h"}
    s.configure(cell="SimpleRNN", force="f")                    # the override is for the LSTM only
    assert s.forced is None
    h_seq, _ = simple_rnn_forward(s.x[None], default_params("SimpleRNN", 1))
    s.goto(len(s.frames) - 1)
    np.testing.assert_array_equal(s.shown()["h"], h_seq[0, -1])


def test_any_sequence_and_any_params():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 3))
    p = {"kernel": rng.normal(size=(3, 12)), "recurrent_kernel": rng.normal(size=(3, 12)), "bias": np.zeros(12)}
    s = LSTMStepperState(x=x, name="my series", params=p)
    assert s.sequence_name == "my series" and "my series" in s.sequence_names and s.units == 3
    assert "your weights" in s.describe() and "T = 6 steps × D = 3 features" in s.describe()
    np.testing.assert_array_equal(s.trace["h"], lstm_gate_trace(x, p).h)
    s.configure(cell="GRU")                                     # the GRU has no weights given: hand-set ones
    assert s.error == "" and s.units == 2 and "hand-set" in s.describe()
    s.configure(sequence=MEMORY, cell="LSTM")                   # D = 1 does not fit the (3, 12) kernel
    assert "rows must agree" in s.error and s.frames == [] and s.shown() == {}
    s.configure(sequence="my series")
    assert s.error == "" and s.units == 3


def test_built_in_sequences():
    for name in SEQUENCES:
        s = LSTMStepperState(sequence=name)
        assert s.error == "" and s.x.ndim == 2 and 1 <= s.T <= MAX_STEPS and np.all(np.isfinite(s.trace["h"]))
    assert LSTMStepperState(sequence="digit '0' read row by row (8 rows × 8 pixels)").x.shape == (8, 8)


def test_parse_sequence():
    assert parse_sequence("1, 0, 0").tolist() == [[1.0], [0.0], [0.0]]
    assert parse_sequence("1 0.5 -2").shape == (3, 1)
    assert parse_sequence("1 0; 0 1; 0 0").tolist() == [[1, 0], [0, 1], [0, 0]]
    assert parse_sequence(DEFAULT_TEXT).shape == (10, 1)
    with pytest.raises(ValueError, match="numbers separated by commas.*got '1, a'.*Example: 1, 0, 0, 0, 0"):
        parse_sequence("1, a")
    with pytest.raises(ValueError, match="empty box"):
        parse_sequence("  ")
    with pytest.raises(ValueError, match="same number of features"):
        parse_sequence("1 0; 1")
    with pytest.raises(ValueError, match=f"at most {MAX_STEPS} time steps"):
        parse_sequence(", ".join(["0"] * (MAX_STEPS + 1)))
    with pytest.raises(ValueError, match="finite"):
        parse_sequence("1, inf")
    with pytest.raises(TypeError, match="must be a string"):
        parse_sequence([1, 0])
    s = LSTMStepperState(sequence=TYPED, text="1, x")
    assert "numbers separated by commas" in s.error and s.frames == []
    s.configure(text="1, 0, 0")
    assert s.error == "" and len(s.frames) == 3 * 7


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(cell="CNN"), ValueError, "cell must be one of 'LSTM', 'GRU', 'SimpleRNN'"),
    (dict(force="g"), ValueError, "force must be one of 'f', 'i', 'o', 'off'"),
    (dict(force_value=1.5), ValueError, r"force_value must be in \[0.0, 1.0\]"),
    (dict(force_value="1"), TypeError, "force_value must be a number"),
    (dict(mode="sideways"), ValueError, "mode must be one of 'forward', 'backward'"),
    (dict(sequence="stocks"), ValueError, "sequence must be one of"),
    (dict(x=np.zeros(5)), ValueError, r"x must be 2-D \(T, D\)"),
    (dict(x=np.zeros((MAX_STEPS + 1, 1))), ValueError, f"1 to {MAX_STEPS} time steps"),
    (dict(params=[1, 2]), TypeError, "params must be a dict"),
    (dict(text=5), TypeError, "text must be a string"),
])
def test_bad_arguments_give_clear_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        LSTMStepperState(**kwargs)
    s = LSTMStepperState()
    with pytest.raises(exc, match=match):
        s.configure(**kwargs)
    assert s.error == "" and len(s.frames) == 140 and s.cell == "LSTM"   # unchanged


# --- the shell -------------------------------------------------------------------------------------

pytest.importorskip("ipywidgets")


def _shell():
    from dlhelpers.widgets import LSTMStepper
    return LSTMStepper


def test_clicks_change_the_picture_and_render_fast():
    w = _shell()()
    assert w.state.position == -1 and w.back_button.disabled and "Press <b>Next</b>" in w.html.value
    before = w.html.value
    w.next_button.click()
    assert w.html.value != before and "time t = 0" in w.html.value and "inputs x_t" in w.html.value
    w.next_button.click()
    assert "forget gate f" in w.html.value and "σ([6, −4]) = <b>[0.998, 0.018]</b>" in w.html.value
    w.back_button.click()
    assert w.state.position == 0 and "inputs x_t" in w.html.value
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        w.next_button.click()
        times.append(time.perf_counter() - t0)
    print(f"\none click (Next + render): median {1000 * np.median(times):.2f} ms, max {1000 * max(times):.2f} ms")
    w.reset_button.click()
    assert w.state.position == -1 and w.html.value == before


def test_force_cell_mode_and_typed_controls():
    w = _shell()()
    for _ in range(5):
        w.next_button.click()                                   # t = 0, part "c"
    assert w.force_value.disabled
    w.force_gate.value = "f"
    assert w.state.position == 4 and "f forced to 0 at every step" in w.html.value and not w.force_value.disabled
    w.force_value.value = 1.0
    assert w.state.forced == ("f", 1.0)
    w.mode.value = "backward"
    w.next_button.click()
    assert "backward, time t = 19" in w.html.value and "‖∂L/∂c_t‖" in w.html.value and "<svg" in w.html.value
    w.force_gate.value = "off"
    w.mode.value = "forward"
    w.cell.value = "GRU"
    assert w.force_box.layout.display == "none" and len(w.state.frames) == 100
    for _ in range(4):
        w.next_button.click()
    assert "candidate h̃" in w.html.value
    w.cell.value = "SimpleRNN"
    assert len(w.state.frames) == 60
    assert w.typed_box.layout.display == "none"
    w.sequence.value = TYPED
    assert w.typed_box.layout.display is None and w.text.continuous_update is False
    w.text.value = "1, two, 3"
    assert "does not work" in w.html.value and "numbers separated by commas" in w.html.value
    assert w.next_button.disabled and w.play_button.disabled
    w.text.value = "1, 0, 0, 0, 0"
    assert not w.next_button.disabled and len(w.state.frames) == 5 * 3


def test_constructor_arguments_reach_the_shell():
    rng = np.random.default_rng(0)
    w = _shell()(x=rng.normal(size=(4, 2)), name="two features", cell="GRU", mode="backward", presenter=True)
    assert w.sequence.value == "two features" and w.cell.value == "GRU" and w.mode.value == "backward"
    assert w.scale > 1 and "font-size:26px" in w.html.value


def test_play_keyboard_and_presenter():
    w = _shell()()
    w.next_button.click()
    w.play_button.click()
    w.play.value = 1
    assert w.playing and w.state.position == 1
    w._on_key({"type": "keydown", "key": " "})
    assert not w.playing
    w._on_key({"type": "keydown", "key": "ArrowRight"})
    assert w.state.position == 2
    w._on_key({"type": "keydown", "key": "Home"})
    assert w.state.position == -1
    w.presenter_toggle.value = True
    assert "font-size:26px" in w.html.value and w.next_button.style.font_size == "24px"


def test_saved_notebook_shows_a_static_first_step():
    w = _shell()()
    page = w._repr_mimebundle_()["text/html"]
    assert "step 1 of 140" in page and "<script" not in page and "<svg" in page and 'class="dl-' in page
    assert w.state.position == -1


def test_clicking_never_imports_tensorflow():
    code = ("import sys\nimport dlhelpers.widgets.lstm\nfrom dlhelpers.widgets import LSTMStepper\n"
            "w = LSTMStepper()\nfor _ in range(30): w.next_button.click()\n"
            "w.force_gate.value = 'f'\nw.mode.value = 'backward'\nw.next_button.click()\n"
            "w.cell.value = 'GRU'\nw.next_button.click()\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
