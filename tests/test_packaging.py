"""What a wheel of dlhelpers contains: every subpackage, and the course's worked examples."""
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_for_the_build():
    # pyproject lists the packages by name (it has to, to map data/course/ into the package)
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "dlhelpers").rglob("__init__.py")}
    assert on_disk <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(on_disk - listed)}"


@pytest.mark.slow
def test_wheel_ships_the_worked_examples_file(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("dlhelpers-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = zf.read("dlhelpers/course_data/worked_examples.json")
        names = zf.namelist()
    assert shipped == (ROOT / "data/course/worked_examples.json").read_bytes()   # the same file, not a copy to keep
    assert "dlhelpers/scratch/_conv_fast.py" in names and "dlhelpers/widgets/stepper.py" in names
