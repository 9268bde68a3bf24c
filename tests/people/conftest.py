# The browser fixtures of the journeys, for the person's-file journey of this folder.
from ..e2e.conftest import browser, page  # noqa: F401
