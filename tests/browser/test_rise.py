"""A stepper inside a live jupyterlab-rise slideshow, in headless Chromium.

The course notebooks say a teacher can present them with jupyterlab-rise (Alt+R in JupyterLab) and
the stepper stays live inside its slide. Alt+R opens an IFrame on ``/rise/<notebook>``, the
extension's own small Jupyter front end; this test opens that page directly, runs the cells up to
the stepper there (Shift+Enter, as a presenter does), then clicks Next and presses → over the widget.

Known upstream break: jupyterlab-rise 0.43.1 (the newest release) ships a JupyterLab 4.3 core that
does not share ``@jupyterlab/console``, and the ipywidgets 8 manager (jupyterlab_widgets 3.x)
needs it, so no widget manager loads in the slideshow ("Shared module @jupyterlab/console doesn't
exist in shared scope default"; https://github.com/jupyterlab-contrib/rise/issues/119). The
slideshow then shows the widget's static picture instead of the live widget. The test reports an
expected failure (xfail) in exactly that case, the static picture on the slide together with that
error in the page's console, and nowhere else: once the live widget appears, every check runs (a
Next click that does not move the stepper fails), and a broken page, a timeout, a missing slide or a
static picture for any other reason fails too.

Needs Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``). Skipped
when it is missing, except under CI (``CI=true``), where a missing browser is a failure.
"""
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, NOTEBOOKS, STEPPER_CASES, browser_page, step_text, wait_text

pytestmark = pytest.mark.browser

STATIC_PICTURE = "a static picture of its first frame"
# What the slideshow page logs when its widget manager cannot load (jupyterlab-contrib/rise#119).
_KNOWN_BREAK = "Shared module @jupyterlab/console doesn't exist in shared scope default"

# The stepper's cell: the first code cell whose source makes the widget.
_FIND_STEPPER_CELL = """(marker) => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
    return cells.findIndex(c => c.classList.contains('jp-CodeCell')
                                && c.querySelector('.jp-InputArea').textContent.includes(marker));
}"""

# Marks the output nodes there now, so that a fresh output (from running the cell here) can be told apart.
_MARK_OUTPUTS = """(i) => {
    const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
    cell.querySelectorAll('.jp-OutputArea-output').forEach(e => e.dataset.saved = '1');
}"""

_FRESH_OUTPUT = """(i) => {
    const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
    const prompt = cell.querySelector('.jp-InputPrompt').textContent;
    const outs = [...cell.querySelectorAll('.jp-OutputArea-output')];
    return !prompt.includes('*') && outs.length > 0 && outs.every(e => !e.dataset.saved);
}"""

_ACTIVE_CELL = "[...document.querySelectorAll('.jp-Notebook .jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))"

# The slide on screen: reveal.js marks it (and its vertical stack, if any) with `present`.
_PRESENT = ".reveal .slides section.present:not(.stack)"


def _kernel_idle(page, name):
    return page.evaluate(
        """async (name) => { const r = await fetch('/api/sessions'); const s = await r.json();
            return s.some(x => x.path.endsWith(name) && x.kernel && x.kernel.execution_state === 'idle'); }""",
        name)


@pytest.mark.parametrize("name, marker, selector, total", STEPPER_CASES)
def test_stepper_live_in_rise_slideshow(lab, name, marker, selector, total):
    nb_name = Path(NOTEBOOKS[name]).name
    with browser_page(f"{name}_rise") as page:
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{lab}/rise/{nb_name}", timeout=60_000)
        page.wait_for_selector(".reveal .slides section", state="attached", timeout=90_000)
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", state="attached", timeout=60_000)
        page.wait_for_function("document.querySelectorAll('.reveal .slides section.present').length > 0")
        for _ in range(90):
            if _kernel_idle(page, nb_name):
                break
            page.wait_for_timeout(1000)
        else:
            pytest.fail("the slideshow's kernel did not start in 90 s")
        page.wait_for_timeout(1000)     # the page's own connection to the kernel

        stepper_cell = page.evaluate(_FIND_STEPPER_CELL, marker)
        if stepper_cell < 0:
            pytest.fail(f"no cell making {marker} in the slideshow of {nb_name}")
        page.evaluate(_MARK_OUTPUTS, stepper_cell)

        # Run the cells as a presenter does: Shift+Enter from the first code cell (RISE's smart-exec runs
        # the cell and moves on, slide by slide) up to the stepper; Ctrl+Enter there, to stay on its slide.
        page.locator(f"{_PRESENT} .jp-CodeCell .cm-content").first.click()
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        for _ in range(80):
            active = page.evaluate(_ACTIVE_CELL)
            if active >= stepper_cell:
                break
            page.keyboard.press("Shift+Enter")
            # RISE moves on once the cell has run. A key press lost in a slide change is pressed again, but
            # only once the kernel is idle: pressing again while a slow cell still runs would skip a cell.
            for _ in range(12):
                try:
                    page.wait_for_function(f"{_ACTIVE_CELL} > {active}", timeout=10_000)
                    break
                except PlaywrightTimeout:
                    if _kernel_idle(page, nb_name):
                        break
        if page.evaluate(_ACTIVE_CELL) != stepper_cell:
            pytest.fail(f"Shift+Enter did not reach the stepper's cell ({stepper_cell}); "
                        f"active cell is {page.evaluate(_ACTIVE_CELL)}")
        page.keyboard.press("Control+Enter")
        page.keyboard.press("Escape")
        page.wait_for_function(_FRESH_OUTPUT, arg=stepper_cell, timeout=120_000)
        page.wait_for_timeout(1000)     # a widget view renders after its output arrives

        slide = page.locator(_PRESENT)
        slide_text = slide.first.text_content()
        if marker not in slide_text:
            pytest.fail(f"the slide on screen does not hold the stepper's cell: {slide_text[:200]!r}")
        page.screenshot(path=str(ARTIFACTS / f"{name}_rise_slide.png"))
        static = slide.get_by_text(STATIC_PICTURE).count()
        widget_errors = [e.splitlines()[0] for e in errors if "jupyterlab-manager" in e or "jupyter-widgets" in e
                         or "jupyterWidgetRegistry" in e or "@jupyterlab/console" in e]
        if static and any(_KNOWN_BREAK in e for e in widget_errors):
            pytest.xfail(f"jupyterlab-rise cannot load the ipywidgets 8 manager (jupyterlab-contrib/rise#119): "
                         f"the slideshow shows the static picture; page errors: {widget_errors[:2]}")
        assert static == 0, ("the slideshow shows the stepper's static picture, not the live widget; "
                             f"the page's widget errors: {widget_errors[:3]}")

        next_button = slide.get_by_role("button", name="Next ▶")
        assert next_button.count() == 1, "no Next button on the stepper's slide"
        wait_text(page, selector, f"step 0 of {total}")
        next_button.click()
        wait_text(page, selector, f"step 1 of {total}", timeout=20_000)
        after_click = step_text(page, selector)
        slide.locator(selector).last.hover()
        page.keyboard.press("ArrowRight")
        wait_text(page, selector, f"step 2 of {total}", timeout=20_000)
        after_key = step_text(page, selector)
        page.wait_for_timeout(500)
        still_here = marker in page.locator(_PRESENT).first.text_content()
        page.screenshot(path=str(ARTIFACTS / f"{name}_rise_stepped.png"))
    assert f"step 1 of {total}" in after_click
    assert f"step 2 of {total}" in after_key
    assert still_here, "→ over the stepper also moved the slideshow to another slide"
