"""The app layers (docs/decisions/0027-layered-apps.md).

The import contract lives in pyproject.toml ([tool.importlinter]) and `lint-imports` checks it in `make lint`
and .ci/run. These tests make `make test` fail too, prove that the check can fail (an upward import hidden in
a function of a copy of the code is reported), and cover what import-linter cannot see: a template of a lower
app that includes, extends or loads the tags of an upper app. On the code before the layers, the contract
reported six upward imports (accounts → pathway, core → accounts, people → pathway, pathway → followup,
rights and records) and the template check the to-do page (pathway → followup, rights, records) and the
person's summary (people → followup, records, rights).
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "parcours"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _layers() -> dict[str, int]:
    """App name → rank (0 at the bottom), read from the contract itself."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    ranks = {}
    for rank, layer in enumerate(reversed(contract["layers"])):
        for app in layer.split("|"):
            ranks[app.strip().strip("()")] = rank
    return ranks


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(  # noqa: S603
        [str(LINT_IMPORTS), "--no-cache", "pyproject.toml"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert apps <= set(_layers()), f"apps without a layer: {apps - set(_layers())}"


def test_the_layers_contract_is_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    """A copy of the code where core imports the top app inside a function: the contract must break."""
    shutil.copytree(PACKAGE, tmp_path / "src" / "parcours", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    clock = tmp_path / "src" / "parcours" / "core" / "clock.py"
    clock.write_text(clock.read_text() + "\n\ndef _canary():\n    from parcours.desk import views  # noqa\n")
    result = _lint_imports(tmp_path, pythonpath=tmp_path / "src")
    assert result.returncode != 0
    assert "parcours.core.clock -> parcours.desk.views" in result.stdout


TEMPLATE_REFERENCE = re.compile(r"""\{%\s*(?:include|extends)\s+["']([\w-]+)/""")
TAG_LOAD = re.compile(r"\{%\s*load\s+([\w ]+?)\s*%\}")


def _owners() -> tuple[dict[str, str], dict[str, str]]:
    """Template folder → app, tag library → app, from where the files are."""
    folders = {p.name: p.parent.parent.name for p in PACKAGE.glob("*/templates/*") if p.is_dir()}
    libraries = {p.stem: p.parent.parent.name for p in PACKAGE.glob("*/templatetags/*.py")}
    return folders, libraries


def test_no_template_reaches_an_app_above_its_own():
    ranks = _layers()
    folders, libraries = _owners()
    upward = []
    for template in PACKAGE.glob("*/templates/**/*.html"):
        app = template.relative_to(PACKAGE).parts[0]
        text = template.read_text()
        used = {folders[f] for f in TEMPLATE_REFERENCE.findall(text) if f in folders}
        for names in TAG_LOAD.findall(text):
            used |= {libraries[n] for n in names.split() if n in libraries}
        for other in used - {app}:
            if ranks[other] >= ranks[app]:  # above, or a sibling of the same layer (siblings are independent)
                upward.append(f"{template.relative_to(PACKAGE)} → {other}")
    assert not upward, upward
