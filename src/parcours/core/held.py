"""Values held in the worker process's memory for a few minutes: never in Django's cache, which a deployment
may share between servers or write to disk, for what is held here can be identity data (decisions 0056 and
0057). Each entry leaves when its time is up, even if the process serves nothing else (a daemon timer), and
the oldest leave first beyond the capacity.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

# A held block's forms are rendered with this in place of the CSRF token (context `csrf_token`), and each
# response gets its own token in its place (`with_csrf`): a held block never carries a token of its own.
CSRF_SLOT = "heldcsrfslot00000000000000000000000000000000000000000000000000000"


def key(parts: tuple) -> str:
    """The key of what `parts` (plain values: numbers, strings, dates, tuples of them) describe."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class Held:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None  # set for the first entry to expire
        self._timer_at = 0.0

    def get(self, key: str) -> Any | None:
        self._drop_expired()
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: str, value: Any, seconds: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
            self._schedule()

    def get_or_compute(self, parts: tuple, compute: Callable[[], Any], seconds: float) -> Any:
        """What is held under `parts`, or `compute()`d and held for `seconds`. The caller reads `parts`
        before computing: a change committed meanwhile gives the next view other parts."""
        key_ = key(parts)
        found = self.get(key_)
        if found is not None:
            return found
        value = compute()
        self.put(key_, value, seconds)
        return value

    def remaining(self, key: str) -> float:
        """The seconds `key` is still held for (0 when it is not held)."""
        with self._lock:
            found = self._entries.get(key)
            return 0.0 if found is None else max(found[0] - time.monotonic(), 0.0)

    def discard(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def values(self) -> list:
        with self._lock:
            return [value for _until, value in self._entries.values()]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _schedule(self) -> None:
        """(Under the lock.) Set the timer for the earliest entry, unless it is set for it or sooner."""
        if not self._entries:
            return
        first = min(until for until, _value in self._entries.values())
        if self._timer is not None:
            if self._timer_at <= first:
                return
            self._timer.cancel()
        self._timer = threading.Timer(max(first - time.monotonic(), 0) + 0.05, self._on_timer)
        self._timer_at = first
        self._timer.daemon = True  # never keeps a stopping worker alive
        self._timer.start()

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
        self._drop_expired()
        with self._lock:
            self._schedule()

    def _drop_expired(self) -> None:
        now = time.monotonic()
        with self._lock:
            for stale in [key for key, (until, _value) in self._entries.items() if until <= now]:
                del self._entries[stale]


def with_csrf(html: str, request) -> SafeString:
    """A held block rendered with `CSRF_SLOT` as its `csrf_token`, given the token of `request` in each of its
    forms: Django's, masked anew for each response, as `{% csrf_token %}` gives it (and the cookie set)."""
    return mark_safe(html.replace(CSRF_SLOT, get_token(request)) if CSRF_SLOT in html else html)  # noqa: S308
