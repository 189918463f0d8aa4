"""A real JupyterLab in headless Chromium: open a notebook, run it, click a stepper's Next button.

Needs Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``). Skipped
when it is missing, except under CI (``CI=true``), where a missing browser is a failure.
"""
import json
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, NOTEBOOKS, browser_page, open_notebook

pytestmark = pytest.mark.browser


# Clicks a button through the DOM and resolves with the milliseconds until the stepper's text shows `want`.
_CLICK_TIMED = """([selector, label, want]) => new Promise((resolve, reject) => {
    const box = [...document.querySelectorAll(selector)].pop();
    const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === label);
    if (!box || !button) { reject(new Error('stepper or button not found')); return; }
    const t0 = performance.now();
    const done = () => [...document.querySelectorAll(selector)].some(e => e.textContent.includes(want));
    const poll = () => done() ? resolve(performance.now() - t0)
                              : (performance.now() - t0 > 20000 ? reject(new Error('no change')) : requestAnimationFrame(poll));
    button.click();
    requestAnimationFrame(poll);
})"""


def _step_text(page, selector):
    return page.evaluate(f"[...document.querySelectorAll('{selector}')].map(e => e.textContent).join(' | ')")


def _wait_text(page, selector, text, timeout=30_000):
    page.wait_for_function(
        f"[...document.querySelectorAll('{selector}')].some(e => e.textContent.includes({text!r}))", timeout=timeout)


def _drive_stepper(lab, notebook, selector, total, name, n_clicks=5):
    """Open ``notebook``, run all cells, check the stepper starts at step 0, click Next (timed, 5 times),
    press → over it, switch presenter mode on; saves screenshots and the timings under ARTIFACTS."""
    result = {}
    with browser_page(name) as page:
        nb_name = Path(notebook).name
        open_notebook(page, lab, nb_name)
        page.wait_for_timeout(1000)     # JupyterLab writes the kernel's metadata in once it is up
        # opening alone must not change the notebook (else JupyterLab asks "Save changes?" on closing)
        result["dirty_after_opening"] = page.evaluate("window.jupyterapp.shell.currentWidget.context.model.dirty")
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        news = page.get_by_role("button", name="No", exact=True)      # JupyterLab's "news?" toast
        next_button = page.get_by_role("button", name="Next ▶").first
        next_button.wait_for(timeout=120_000)
        _wait_text(page, selector, f"step 0 of {total}", timeout=120_000)
        # wait for the whole notebook to finish (its last cell has run): no later cell may move the widget
        page.wait_for_function(
            """(() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
                return cells.get(cells.length - 1).executionCount !== null; })()""", timeout=180_000)
        page.wait_for_timeout(500)
        result["after_run_all"] = _step_text(page, selector)
        result["static_picture_visible"] = page.get_by_text("a static picture of its first frame").count()
        if news.count():
            news.first.click()
        next_button.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"{name}_start.png"))
        # Play steps on by itself from here; Pause stops where it is
        page.get_by_role("button", name="▶ Play").first.click()
        _wait_text(page, selector, f"step 2 of {total}")
        page.get_by_role("button", name="❚❚ Pause").first.click()
        page.get_by_role("button", name="▶ Play").first.wait_for(timeout=10_000)
        paused = _step_text(page, selector)
        page.wait_for_timeout(2000)
        result["play_then_pause"] = [paused, _step_text(page, selector)]
        page.get_by_role("button", name="⟲ Reset").first.click()
        _wait_text(page, selector, f"step 0 of {total}")
        clicks = []
        for k in range(1, n_clicks + 1):
            clicks.append(page.evaluate(_CLICK_TIMED, [selector, "Next ▶", f"step {k} of {total}"]))
        result["click_ms"] = [round(ms, 1) for ms in clicks]
        result["after_clicks"] = _step_text(page, selector)
        page.locator(selector).last.hover()
        page.keyboard.press("ArrowRight")
        _wait_text(page, selector, f"step {n_clicks + 1} of {total}")
        result["after_arrow_key"] = _step_text(page, selector)
        page.screenshot(path=str(ARTIFACTS / f"{name}_stepped.png"))
        page.get_by_role("button", name="Presenter mode").first.click()
        page.wait_for_function(
            f"[...document.querySelectorAll('{selector}')].some(e => e.closest('.dl-stepper').style.fontSize === '26px')",
            timeout=30_000)
        page.locator(selector).last.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"{name}_presenter.png"))
    (ARTIFACTS / f"{name}_timing.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"{name}: click → display {result['click_ms']} ms")
    return result


@pytest.mark.parametrize("name, selector, total, after", [
    ("backprop", ".dl-step", 40, "out_y1"),              # step 6: out_y1 = σ(net_y1)
    ("conv", ".dl-conv", 9, "position (1, 2)"),
    ("pool", ".dl-pool", 4, "window (1, 1)"),
])
def test_stepper_in_jupyterlab(lab, name, selector, total, after):
    n = min(5, total - 1)
    r = _drive_stepper(lab, NOTEBOOKS[name], selector, total, f"{name}_stepper", n_clicks=n)
    assert r["dirty_after_opening"] is False                    # no "Save changes?" before anything was done
    assert f"step 0 of {total}" in r["after_run_all"]            # Run All leaves the widget at its start
    paused, two_seconds_later = r["play_then_pause"]
    assert paused == two_seconds_later and "step 0 of" not in paused     # played, then stayed where paused
    assert r["static_picture_visible"] == 0                      # the live widget, not the saved picture
    assert f"step {n} of {total}" in r["after_clicks"]
    assert f"step {n + 1} of {total}" in r["after_arrow_key"]    # the → key moved it
    assert after in r["after_arrow_key"]
