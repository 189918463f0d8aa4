"""A stepper inside a live jupyterlab-deck presentation, in headless Chromium.

jupyterlab-deck shows a notebook as slides inside the JupyterLab shell itself (command *Start Deck*,
``deck:start``), honouring the cells' ``slideshow`` metadata, so the notebook's own widget manager
draws the stepper. This test opens a stepper notebook, runs all cells, starts the deck on the first
cell, walks forward with the deck's own ▶ button (bottom right) until the stepper's cell is on
screen, clicks the stepper's Next button, then presses → with the pointer over the stepper: the
step must change, and the deck must stay on the same slide.

jupyterlab-deck 0.2.0 (the newest release) never shows a cell whose ``slide_type`` is ``"-"``
(RISE's "continue the slide"); only cells with no ``slide_type`` at all continue a slide there. So the
course's notebooks leave that mark out (RISE and nbconvert read a missing mark as ``"-"``), and
tests/notebooks/test_notebook_files.py keeps it out.

Needs Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``). Skipped
when it is missing, except under CI (``CI=true``), where a missing browser is a failure.
"""
import json
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, NOTEBOOKS, STEPPER_CASES, browser_page, open_notebook, step_text, wait_text

pytestmark = pytest.mark.browser

# The stepper's cell: the first code cell whose source makes the widget.
_FIND_STEPPER_CELL = """(marker) => {
    const cells = window.jupyterapp.shell.currentWidget.content.widgets;
    return cells.findIndex(c => c.model.type === 'code' && c.model.sharedModel.getSource().includes(marker));
}"""

_ACTIVE = "window.jupyterapp.shell.currentWidget.content.activeCellIndex"

# Is cell i shown by the deck (on the slide on screen, and laid out)?
_ON_SCREEN = """(i) => {
    const node = window.jupyterapp.shell.currentWidget.content.widgets[i].node;
    const r = node.getBoundingClientRect();
    return node.classList.contains('jp-deck-mod-onscreen') && node.classList.contains('jp-deck-mod-visible')
           && r.width > 0 && r.height > 0;
}"""

_SLIDE_TYPE = """(i) => { const m = window.jupyterapp.shell.currentWidget.content.widgets[i].model;
    const s = m.getMetadata ? m.getMetadata('slideshow') : m.metadata.get('slideshow');
    return s && s.slide_type !== undefined ? s.slide_type : null; }"""


@pytest.mark.parametrize("name, marker, selector, total", STEPPER_CASES)
def test_stepper_live_in_deck(lab, name, marker, selector, total):
    nb_name = Path(NOTEBOOKS[name]).name
    shot = f"{name}_deck"
    with browser_page(shot) as page:
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        open_notebook(page, lab, nb_name)
        page.wait_for_function("window.jupyterapp.commands.hasCommand('deck:start')", timeout=30_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        wait_text(page, selector, f"step 0 of {total}", timeout=120_000)
        page.wait_for_function(
            """(() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
                return cells.get(cells.length - 1).executionCount !== null; })()""", timeout=180_000)
        news = page.get_by_role("button", name="No", exact=True)      # JupyterLab's "news?" toast
        if news.count():
            news.first.click()
        stepper_cell = page.evaluate(_FIND_STEPPER_CELL, marker)
        assert stepper_cell >= 0, f"no cell making {marker} in {nb_name}"

        # Present from the first cell, as a teacher does: select it, then Start Deck.
        page.evaluate(f"{_ACTIVE} = 0")
        page.evaluate("window.jupyterapp.commands.execute('deck:start')")
        page.wait_for_function("document.body.dataset.jpDeckMode === 'presenting'", timeout=30_000)
        forward = page.locator(".jp-Deck-Remote .jp-deck-mod-direction-forward")
        forward.wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        # walk forward with the deck's own ▶ button until the stepper is on screen (or the deck ends)
        visited = []
        for _ in range(40):
            if page.evaluate(_ON_SCREEN, stepper_cell):
                break
            active = page.evaluate(_ACTIVE)
            visited.append(active)
            if active > stepper_cell or "jp-mod-disabled" in (forward.get_attribute("class") or ""):
                break
            forward.click()
            try:
                page.wait_for_function(f"{_ACTIVE} !== {active}", timeout=5_000)
            except Exception:       # the ▶ button did nothing: the deck is at its end
                break
        on_screen = page.evaluate(_ON_SCREEN, stepper_cell)
        if not on_screen:
            page.screenshot(path=str(ARTIFACTS / f"{shot}_missing.png"))
            slide_type = page.evaluate(_SLIDE_TYPE, stepper_cell)
            pytest.fail(f"the deck never showed the stepper's cell {stepper_cell} (slide_type {slide_type!r}); "
                        f"it went through cells {visited}")
        slide_cell = page.evaluate(_ACTIVE)
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"{shot}_slide.png"))
        assert page.get_by_text("a static picture of its first frame").locator("visible=true").count() == 0, \
            "the deck shows the stepper's static picture, not the live widget"

        stepper = page.locator(selector).locator("visible=true").last
        next_button = page.get_by_role("button", name="Next ▶").locator("visible=true")
        assert next_button.count() == 1, "no visible Next button on the stepper's slide"
        wait_text(page, selector, f"step 0 of {total}")
        next_button.click()
        wait_text(page, selector, f"step 1 of {total}", timeout=20_000)
        after_click = step_text(page, selector)
        # a click inside the stepper makes its cell the active one; the slide must stay on screen
        assert page.evaluate(_ON_SCREEN, slide_cell) and page.evaluate(_ON_SCREEN, stepper_cell), \
            "clicking the stepper's Next moved the deck to another slide"
        cell_before_key = page.evaluate(_ACTIVE)

        stepper.hover()
        page.keyboard.press("ArrowRight")
        try:
            wait_text(page, selector, f"step 2 of {total}", timeout=20_000)
        except Exception:
            pass
        page.wait_for_timeout(800)          # a slide change, if any, lands by now
        after_key = step_text(page, selector)
        cell_after_key = page.evaluate(_ACTIVE)
        still_on_screen = page.evaluate(_ON_SCREEN, stepper_cell) and page.evaluate(_ON_SCREEN, slide_cell)
        focused = page.evaluate(
            "(() => { const e = document.activeElement; return e ? e.tagName + '.' + e.className : null; })()")
        # the same with the keyboard focus still on the deck's own ▶ button (a teacher who came to this slide
        # with it and points at the stepper without clicking): the deck binds → there too
        forward.focus()
        stepper.hover()
        page.keyboard.press("ArrowRight")
        try:
            wait_text(page, selector, f"step 3 of {total}", timeout=20_000)
        except Exception:
            pass
        page.wait_for_timeout(800)
        after_key_remote = step_text(page, selector)
        stays_remote = page.evaluate(_ON_SCREEN, stepper_cell) and page.evaluate(_ON_SCREEN, slide_cell)
        page.screenshot(path=str(ARTIFACTS / f"{shot}_stepped.png"))
        (ARTIFACTS / f"{shot}.json").write_text(json.dumps(
            {"notebook": nb_name, "visited": visited, "slide_cell": slide_cell, "after_click": after_click,
             "after_key": after_key, "cell_before_key": cell_before_key,
             "cell_after_key": cell_after_key, "focused_at_key": focused,
             "after_key_with_deck_button_focused": after_key_remote, "slide_kept_then": stays_remote,
             "page_errors": errors[:10]}, indent=1, ensure_ascii=False))
        page.evaluate("window.jupyterapp.commands.execute('deck:stop')")
    assert f"step 1 of {total}" in after_click
    assert f"step 2 of {total}" in after_key, f"→ over the stepper did not step it: {after_key[:200]!r}"
    assert cell_after_key == cell_before_key and still_on_screen, (
        f"→ over the stepper also moved the deck (active cell {cell_before_key} → {cell_after_key}; "
        f"focus {focused})")
    assert f"step 3 of {total}" in after_key_remote, \
        f"→ over the stepper, with the focus on the deck's ▶ button, did not step it: {after_key_remote[:200]!r}"
    assert stays_remote, "→ over the stepper, with the focus on the deck's ▶ button, moved the deck"
