"""The quiz and the hyperparameter explorer in a real JupyterLab (headless Chromium), as a student uses them.

Checks what only a browser shows: the tick/cross marks are drawn (SVG boxes with a size, no emoji
font needed), a fresh explorer is not marked stale after Run All (a float slider would round its
value in the browser), a moved control dims the picture, and a long run disables Train until it ends.
Uses the JupyterLab server fixture of ``conftest``; the notebook is written into its folder.
"""
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from .conftest import ARTIFACTS, browser_page, open_notebook

pytestmark = pytest.mark.browser

CELLS = [
    "from dlhelpers.data import moons\n"
    "from dlhelpers.widgets import HyperparameterExplorer, Quiz\n"
    "from dlhelpers.widgets.quiz_bank import QUIZZES\n"
    "quiz = Quiz(QUIZZES['unit2'][:2], title='Unit II in the browser')\n"
    "quiz",
    "explorer = HyperparameterExplorer(moons(300, rng=0), epochs=30)\n"
    "explorer.train()\n"
    "explorer",
]


def test_quiz_and_explorer_in_jupyterlab(lab, tmp_path):
    nb = new_notebook(cells=[new_code_cell(c) for c in CELLS],
                      metadata={"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}})
    nbformat.write(nb, tmp_path / "course" / "quiz_explorer.ipynb")
    r = {}
    with browser_page("quiz_explorer", viewport=(1300, 1300)) as page:
        open_notebook(page, lab, "quiz_explorer.ipynb")
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        train = page.locator(".widget-button", has_text="Train").first
        train.wait_for(timeout=120_000)
        page.wait_for_selector("img[alt='decision boundary and loss curves']", timeout=120_000)
        page.wait_for_timeout(1500)               # let the browser settle every control's value
        r["stale_after_run_all"] = page.get_by_text("settings changed").count()

        radios = page.locator(".widget-radio-box").first
        radios.locator("label", has_text="23 × 23").click()
        page.locator(".widget-button", has_text="Check").first.click()
        page.get_by_text("Not quite").first.wait_for(timeout=20_000)
        radios.locator("label", has_text="24 × 24").click()
        page.locator(".widget-button", has_text="Check").first.click()
        page.get_by_text("Correct.").first.wait_for(timeout=20_000)
        box = page.locator("svg[aria-label='correct']").first.bounding_box()
        r["tick_px"] = [box["width"], box["height"]] if box else None
        page.screenshot(path=str(ARTIFACTS / "quiz_answered.png"))

        page.locator(".widget-dropdown", has_text="activation").locator("select").select_option("relu")
        page.get_by_text("settings changed — press Train to update").first.wait_for(timeout=20_000)
        page.locator(".widget-dropdown", has_text="batch size").locator("select").select_option(label="1")
        train.click()
        page.locator(".widget-button:disabled", has_text="Training…").wait_for(timeout=20_000)
        r["busy_status"] = page.locator(".widget-html", has_text="Training…").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "explorer_training.png"))
        page.locator(".widget-button:not(:disabled)", has_text="Train").wait_for(timeout=180_000)
        page.wait_for_timeout(500)
        r["stale_after_training"] = page.get_by_text("settings changed").count()
        r["report"] = page.locator(".widget-html", has_text="trained:").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "explorer_trained.png"))
    (ARTIFACTS / "quiz_explorer.json").write_text(json.dumps(r, indent=1, ensure_ascii=False))
    assert r["stale_after_run_all"] == 0
    assert r["tick_px"] and min(r["tick_px"]) >= 16
    assert "relu units" in r["busy_status"] and "batch 1" in r["busy_status"]
    assert r["stale_after_training"] == 0 and "relu units" in r["report"] and "batch 1" in r["report"]
