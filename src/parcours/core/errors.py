"""The one exception every domain service raises for a step the law, the workflow or common sense forbids.

It lives in core, at the bottom of the app graph, so that any app can raise or catch it without importing
another domain app.
"""


class DomainError(Exception):
    """A refused step. `message` is French and shown to the user as is; nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
