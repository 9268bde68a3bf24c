"""parcours.wsgi freezes the long-lived objects out of the cycle collector (decision 0054), in a process of
its own here: freezing the test process would change every other test's memory."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import gc, os
os.environ.update(PARCOURS_DEMO="1", PARCOURS_DATA_DIR=os.environ["DATA"])
import parcours.wsgi as w
at_start = gc.get_freeze_count()
calls = []
app = w.FreezeOnceWarm(lambda environ, start: calls.append(1) or [b"ok"], after=3)
answers = [app({}, None) for _ in range(2)]
before = gc.get_freeze_count()
junk = [[object()] for _ in range(5000)]
answers.append(app({}, None))
print(at_start > 10000, answers == [[b"ok"]] * 3, len(calls), gc.get_freeze_count() > before)
"""


def test_the_wsgi_process_freezes_at_start_and_once_warm(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "DATA": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
    assert done.stdout.split() == ["True", "True", "3", "True"], done.stderr[-2000:]
