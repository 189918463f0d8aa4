"""Shared by the browser tests: a real JupyterLab on 127.0.0.1 and the Chromium to drive it.

Needs Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``). Skipped
when it is missing, except under CI (``CI=true``), where a missing browser is a failure.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("DLHELPERS_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
NOTEBOOKS = {"backprop": "notebooks/unit1_foundations/06_backpropagation.ipynb",
             "conv": "notebooks/unit2_cnn/02_convolution_by_hand.ipynb",
             "pool": "notebooks/unit2_cnn/04_pooling.ipynb", "vae": "notebooks/unit5_autoencoders/05_vae.ipynb"}
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


def open_notebook(page, lab_url, name, timeout=90_000):
    """Open notebook ``name`` (a file in the server's folder) and wait until its kernel is up and idle."""
    page.goto(f"{lab_url}/lab/tree/{name}?reset", timeout=60_000)
    page.wait_for_function(
        f"""(() => {{ const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
            return w && w.context && w.context.path.endsWith({name!r}) && k && k.status === 'idle'; }})()""",
        timeout=timeout)


@contextlib.contextmanager
def browser_page(name, viewport=(1400, 1000)):
    """A page of headless Debian Chromium; on failure it saves ``<name>_failure.png`` under ARTIFACTS."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        try:
            yield page
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"{name}_failure.png"))
            raise
        finally:
            browser.close()


#: the stepper notebooks' widgets: (name in NOTEBOOKS, text of the cell that makes it, CSS class, number of steps)
STEPPER_CASES = [("backprop", "BackpropStepper(", ".dl-step", 40),
                 ("conv", "ConvStepper(", ".dl-conv", 9),
                 ("pool", "PoolStepper(", ".dl-pool", 4)]


def step_text(page, selector):
    """The text of every element matching ``selector`` (a stepper's frame), joined."""
    return page.evaluate(f"[...document.querySelectorAll('{selector}')].map(e => e.textContent).join(' | ')")


def wait_text(page, selector, text, timeout=30_000):
    """Wait until an element matching ``selector`` contains ``text`` (e.g. "step 1 of 9")."""
    page.wait_for_function(
        f"[...document.querySelectorAll('{selector}')].some(e => e.textContent.includes({text!r}))", timeout=timeout)
