"""The LSTM notebook (III.5) in a real JupyterLab: run every cell, then click the gate stepper's Next button.

The notebook trains two small Keras models, so Run All takes a minute or two before the stepper answers
(the kernel handles the button's message only once it is idle). Screenshots go to
``test-artifacts/browser/lstm_stepper_*.png``.

Needs Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``). Skipped
when it is missing, except under CI (``CI=true``), where a missing browser is a failure.
"""
import shutil
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, ROOT, browser_page, open_notebook

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/unit3_rnn/05_lstm.ipynb"
SELECTOR = ".dl-recurrent"            # the forward view of the LSTM stepper (dlhelpers.viz.recurrent)


def _step_text(page):
    return page.evaluate(f"[...document.querySelectorAll('{SELECTOR}')].map(e => e.textContent).join(' | ')")


def _wait_text(page, text, timeout=30_000):
    page.wait_for_function(
        f"[...document.querySelectorAll('{SELECTOR}')].some(e => e.textContent.includes({text!r}))", timeout=timeout)


@pytest.fixture
def lstm_lab(lab, tmp_path):
    """The ``lab`` server with the LSTM notebook in its folder (``lab`` serves ``tmp_path / "course"``)."""
    shutil.copy(ROOT / NOTEBOOK, tmp_path / "course")
    return lab


def test_lstm_stepper_next_moves_it(lstm_lab):
    from dlhelpers.widgets.lstm_state import LSTMStepperState

    total = len(LSTMStepperState().frames)           # the default sequence: 20 steps × 7 parts
    name = Path(NOTEBOOK).name
    with browser_page("lstm_stepper") as page:
        open_notebook(page, lstm_lab, name)
        page.wait_for_timeout(1000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # the whole notebook must have run (its last cell has an execution count) before the widget is driven
        page.wait_for_function(
            """(() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
                return cells.get(cells.length - 1).executionCount !== null; })()""", timeout=420_000)
        _wait_text(page, f"step 0 of {total}", timeout=60_000)
        assert page.get_by_text("a static picture of its first frame").count() == 0    # the live widget
        news = page.get_by_role("button", name="No", exact=True)      # JupyterLab's "news?" toast
        if news.count():
            news.first.click()
        before = _step_text(page)
        next_button = page.get_by_role("button", name="Next ▶").first
        next_button.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lstm_stepper_start.png"))
        next_button.click()
        _wait_text(page, f"step 1 of {total}")          # times out (fails) when the click changes nothing
        after = _step_text(page)
        page.screenshot(path=str(ARTIFACTS / "lstm_stepper_stepped.png"))
    assert f"step 0 of {total}" in before and f"step 1 of {total}" not in before
    assert f"step 1 of {total}" in after and after != before
    assert "time t = 0" in after                      # the first frame: x_0 goes in
