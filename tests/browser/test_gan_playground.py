"""The GAN notebook (IV.3) in a real JupyterLab: run every cell, then click the playground's Step both button.

Run All trains a small NumPy GAN, runs one preset for 800 steps and loads TensorFlow for the twin check,
so it takes a minute or so before the playground answers (the kernel handles the button's message only
once it is idle). Screenshots go to ``test-artifacts/browser/gan_playground_*.png``.

Needs Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``). Skipped
when it is missing, except under CI (``CI=true``), where a missing browser is a failure.
"""
import shutil
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, ROOT, browser_page, open_notebook, step_text, wait_text

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/unit4_gan/03_gan_by_hand.ipynb"
SELECTOR = ".dl-gan-status"          # the playground's status line (dlhelpers.viz.gan.gan_frame_html)


@pytest.fixture
def gan_lab(lab, tmp_path):
    """The ``lab`` server with the GAN notebook in its folder (``lab`` serves ``tmp_path / "course"``)."""
    shutil.copy(ROOT / NOTEBOOK, tmp_path / "course")
    return lab


def test_step_both_advances_the_playground(gan_lab):
    name = Path(NOTEBOOK).name
    with browser_page("gan_playground") as page:
        open_notebook(page, gan_lab, name)
        page.wait_for_timeout(1000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # the whole notebook must have run (its last cell has an execution count) before the widget is driven
        page.wait_for_function(
            """(() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
                return cells.get(cells.length - 1).executionCount !== null; })()""", timeout=420_000)
        wait_text(page, SELECTOR, "step 0 ", timeout=60_000)
        assert page.get_by_text("a static picture of its first frame").count() == 0    # the live widget
        news = page.get_by_role("button", name="No", exact=True)      # JupyterLab's "news?" toast
        if news.count():
            news.first.click()
        before = step_text(page, SELECTOR)
        button = page.get_by_role("button", name="Step both ▶").first
        button.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "gan_playground_start.png"))
        button.click()
        wait_text(page, SELECTOR, "step 1 ")              # times out (fails) when the click changes nothing
        after = step_text(page, SELECTOR)
        button.click()
        wait_text(page, SELECTOR, "step 2 ")
        page.screenshot(path=str(ARTIFACTS / "gan_playground_stepped.png"))
    assert "step 0 · D updates 0 · G updates 0" in before and "step 1" not in before
    assert "step 1 · D updates 1 · G updates 1" in after and after != before
