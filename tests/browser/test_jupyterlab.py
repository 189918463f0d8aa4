"""A real JupyterLab in headless Chromium: open a notebook, run it, click a stepper's Next button.

Needs Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``). Skipped
when it is missing, except under CI (``CI=true``), where a missing browser is a failure.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("DLHELPERS_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
NOTEBOOKS = {"backprop": "notebooks/unit1_foundations/06_backpropagation.ipynb",
             "conv": "notebooks/unit2_cnn/02_convolution_by_hand.ipynb"}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"]


def _require_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    _require_browser()
    workdir = tmp_path / "course"
    workdir.mkdir()
    for nb in NOTEBOOKS.values():
        shutil.copy(ROOT / nb, workdir)
    port = _free_port()
    log = open(tmp_path / "jupyterlab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=None", "--allow-root", f"--ServerApp.root_dir={workdir}",
         "--ServerApp.disable_check_xsrf=True",
         # a fresh workspace and settings per run: no tabs restored from an earlier session
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", f"--LabApp.user_settings_dir={tmp_path / 'settings'}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("JupyterLab exited:\n" + (tmp_path / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start in 60 s:\n" + (tmp_path / "jupyterlab.log").read_text()[-3000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _run_notebook_and_click_next(lab, notebook, selector, before_text, after_text, shot):
    """Open ``notebook``, run all cells, wait until the stepper shows ``before_text``, click Next,
    wait for ``after_text``; returns (text before, text after) and saves a screenshot."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            name = Path(notebook).name
            page.goto(f"{lab}/lab/tree/{name}?reset", timeout=60_000)
            # wait until this notebook is the current tab and its kernel is up and idle
            page.wait_for_function(
                f"""(() => {{ const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                    return w && w.context && w.context.path.endsWith({name!r}) && k && k.status === 'idle'; }})()""",
                timeout=90_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            next_button = page.get_by_role("button", name="Next ▶").first
            next_button.wait_for(timeout=120_000)
            step = page.locator(selector).first
            step.wait_for(timeout=60_000)
            # the notebook itself clicks Next; wait until the page shows that state
            page.wait_for_function(
                f"[...document.querySelectorAll('{selector}')].some(e => e.textContent.includes({before_text!r}))",
                timeout=120_000)
            before = step.inner_text()
            next_button.scroll_into_view_if_needed()
            next_button.click()
            page.wait_for_function(
                f"[...document.querySelectorAll('{selector}')].some(e => e.textContent.includes({after_text!r}))",
                timeout=30_000)
            after = step.inner_text()
            page.screenshot(path=str(ARTIFACTS / shot), full_page=False)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / shot.replace(".png", "_failure.png")))
            raise
        finally:
            browser.close()
    return before, after


def test_backprop_stepper_in_jupyterlab(lab):
    before, after = _run_notebook_and_click_next(lab, NOTEBOOKS["backprop"], ".dl-step", "step 3 of", "step 4 of",
                                                 "backprop_stepper.png")
    assert before != after
    assert "step 4 of 40" in after and "out_h2" in after and "0.596884378" in after


def test_convolution_stepper_in_jupyterlab(lab):
    before, after = _run_notebook_and_click_next(lab, NOTEBOOKS["conv"], ".dl-conv", "step 2 of 9", "step 3 of 9",
                                                 "convolution_stepper.png")
    assert "position (0, 1)" in before
    assert "position (0, 2)" in after and "= 4" in after          # the course example's top-right value
