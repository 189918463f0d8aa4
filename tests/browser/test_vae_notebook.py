"""The VAE notebook (V.5) in a real JupyterLab: run it down to the latent explorer, then move the explorer's
z1 slider with the keyboard and check that the point and the decoded digit change.

The cells run are every cell above the explorer and the explorer's own (JupyterLab's "Run All Above" from the
cell after it): they train the small NumPy VAE the explorer shows. The cells below it (TensorFlow for the digit
scores and the twin check) change nothing in the widget and would double the test's time; nbval runs them.
The kernel handles the slider's messages only once it is idle, so the test waits for that first.
Screenshots go to ``test-artifacts/browser/vae_latent_*.png``.

Needs Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``). Skipped
when it is missing, except under CI (``CI=true``), where a missing browser is a failure.
"""
import re
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, NOTEBOOKS, browser_page, open_notebook

pytestmark = pytest.mark.browser

BOX = ".dl-latent"                    # the explorer's main frame (dlhelpers.viz.latent.latent_frame_html)
STATUS = ".dl-latent-status"          # its status line: the point z and the mode
STATIC = "a static picture of its first frame"      # the saved notebook's picture (latent_snapshot_html)
MAKER = "LatentExplorer(model="                     # the text of the cell that makes the explorer


def _status(page):
    return page.evaluate(f"[...document.querySelectorAll('{STATUS}')].map(e => e.textContent).join(' | ')")


def _image_src(page):
    return page.evaluate(f"[...document.querySelectorAll('{BOX} img')].map(e => e.src).join(' | ')")


def test_z1_slider_moves_the_latent_point(lab):
    name = Path(NOTEBOOKS["vae"]).name
    with browser_page("vae_latent") as page:
        open_notebook(page, lab, name)
        page.wait_for_timeout(1000)
        # select the cell after the explorer's, then run everything above it
        index = page.evaluate(f"""(() => {{ const nb = window.jupyterapp.shell.currentWidget.content;
            const cells = nb.model.cells;
            for (let i = 0; i < cells.length; i++) {{
                if (cells.get(i).sharedModel.getSource().includes({MAKER!r})) {{
                    nb.activeCellIndex = i + 1;
                    return i;
                }}
            }}
            return -1; }})()""")
        assert index > 0, f"no cell with {MAKER!r}"
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-above')")
        # the explorer's cell must have run and the kernel be idle before the widget is driven
        page.wait_for_function(
            f"""(() => {{ const w = window.jupyterapp.shell.currentWidget;
                return w.content.model.cells.get({index}).executionCount !== null
                    && w.sessionContext.session.kernel.status === 'idle'; }})()""", timeout=300_000)
        # the live explorer has replaced the saved picture (so the explorer's cell has run again)
        page.wait_for_function(
            f"""document.querySelectorAll('{STATUS}').length === 1
                && ![...document.querySelectorAll('.jp-OutputArea-output')]
                    .some(e => e.textContent.includes({STATIC!r}))""", timeout=60_000)
        news = page.get_by_role("button", name="No", exact=True)      # JupyterLab's "news?" toast
        if news.count():
            news.first.click()
        before_status, before_src = _status(page), _image_src(page)
        z1 = page.locator(".widget-slider", has=page.locator("label", has_text=re.compile(r"^z1$")))
        assert z1.count() == 1
        handle = z1.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "vae_latent_start.png"))
        handle.focus()
        readout_before = z1.locator(".widget-readout").first.text_content()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        # times out (fails) when the keys change nothing in the kernel's picture
        page.wait_for_function(
            f"[...document.querySelectorAll('{STATUS}')].map(e => e.textContent).join(' | ') !== {before_status!r}",
            timeout=30_000)
        page.wait_for_timeout(300)
        after_status, after_src = _status(page), _image_src(page)
        readout_after = z1.locator(".widget-readout").first.text_content()
        page.screenshot(path=str(ARTIFACTS / "vae_latent_moved.png"))
    z_before = re.search(r"z = \((−?[\d.]+), (−?[\d.]+)\)", before_status)
    z_after = re.search(r"z = \((−?[\d.]+), (−?[\d.]+)\)", after_status)
    assert z_before and z_after, (before_status, after_status)
    as_float = lambda s: float(s.replace("−", "-"))
    assert as_float(z_after[1]) > as_float(z_before[1])        # → moved z1 to the right …
    assert z_after[2] == z_before[2]                           # … and left z2 alone
    assert "moved with the sliders" in after_status
    assert after_src != before_src and after_src.startswith("data:image/png")   # a new decoded picture
    assert as_float(readout_after) > as_float(readout_before)          # the slider itself moved
