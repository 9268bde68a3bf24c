"""Create .venv and install the locked dependencies, with nothing but python3 (3.11+).

Used by `make demo` and `make test`. On Debian/Ubuntu, python3 may lack `ensurepip`
(package python3-venv not installed): we then create the venv without pip and fetch
pip's wheel from PyPI, so that no system package has to be installed by hand.
"""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"


def run(*args: str) -> None:
    subprocess.run(args, check=True, cwd=ROOT)  # noqa: S603


def ensure_venv() -> None:
    if PY.exists():
        return
    if sys.version_info < (3, 11):  # noqa: UP036 (run by the system python3, which may be older)
        sys.exit("Parcours demande Python 3.11 ou plus récent.")
    try:
        run(sys.executable, "-m", "venv", str(VENV))
    except subprocess.CalledProcessError:
        run(sys.executable, "-m", "venv", "--clear", "--without-pip", str(VENV))
        install_pip_from_pypi()


def install_pip_from_pypi() -> None:
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as r:
        files = json.load(r)["urls"]
    wheel = next(f for f in files if f["filename"].endswith(".whl"))
    target = VENV / wheel["filename"]
    urllib.request.urlretrieve(wheel["url"], target)  # noqa: S310
    run(str(PY), f"{target}/pip", "install", "--quiet", str(target))
    target.unlink()


def main() -> None:
    profile = sys.argv[1] if len(sys.argv) > 1 else "dev"
    ensure_venv()
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": str(VENV)}
    uv = VENV / "bin" / "uv"
    if not uv.exists():
        run(
            str(PY),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "-r",
            "requirements/bootstrap.lock",
        )
    for args in (
        ["pip", "sync", "--quiet", "--python", str(PY), f"requirements/{profile}.lock"],
        ["pip", "install", "--quiet", "--python", str(PY), "--no-deps", "-e", "."],
    ):
        subprocess.run([str(uv), *args], check=True, cwd=ROOT, env=env)  # noqa: S603


if __name__ == "__main__":
    main()
