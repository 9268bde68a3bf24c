"""Loaded by pytest before Django's settings (`-p tests.pytest_demo_mode` in pyproject's addopts, hence
`python -m pytest` from the project root, as `make test` and .ci/run do): the
suite runs in demo mode (PARCOURS_DEMO=1, keys generated into the data folder, `demo` app installed), and so
do the processes it starts (gunicorn, scripts), which inherit the environment. The tests of the production
configuration (tests/core/test_settings.py) start their own processes with PARCOURS_DEMO=0."""

import os

os.environ["PARCOURS_DEMO"] = "1"
