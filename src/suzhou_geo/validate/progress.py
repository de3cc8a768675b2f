"""Progress and stage times of a validation: :class:`Progress` for ``progress=``, :class:`Clock` for ``timings=``.

Three kinds of hook are accepted:

* ``progress(done, total)``: called as parcels are done (read, checked and,
  for a file run, written);
* ``progress(done, total, stage)``: also called for each stage as it advances,
  with ``stage`` one of ``"read"``, ``"check"``, ``"write"`` and ``done`` the
  parcels through that stage;
* an object with ``update`` (``tqdm.auto.tqdm()`` in Jupyter, ``tqdm.tqdm``, or
  anything alike): its ``total`` is set when it has none, it is advanced as
  parcels are done, and its description names the current stage.

Every run — in memory, streamed, on a cluster, the ``report`` command — times
its stages with the one :class:`Clock` and tells its progress through the one
:class:`Progress`.

Examples
--------
>>> calls = []
>>> p = Progress(lambda done, total, stage: calls.append((stage, done, total)), 10)
>>> p.stage("read", 10); p.stage("check", 4); p.done(4); p.stage("check", 10); p.done(10)
>>> calls
[('read', 10, 10), ('check', 4, 10), ('check', 10, 10)]
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Progress", "Clock", "STAGES"]

log = logging.getLogger(__name__)

#: How each stage is named in a progress bar's description.
STAGES = {"read": "读取 reading", "check": "检查 checking", "write": "写出 writing"}


def _takes_stage(fn: Any) -> bool:
    try:
        inspect.signature(fn).bind(0, 0, "check")
    except (TypeError, ValueError):
        return False
    return True


class Progress:
    """One run's progress, told to the caller's hook (see the module docstring).

    Parameters
    ----------
    hook : callable, tqdm-like object or None
    total : int
        Parcels in the run (None when not known yet; see :meth:`set_total`).
    """

    def __init__(self, hook: Any, total: int | None) -> None:
        self._hook = hook
        self._bar = hook is not None and hasattr(hook, "update")
        self._staged = hook is not None and not self._bar and _takes_stage(hook)
        self._done = 0
        self._stage: str | None = None
        self.total = total
        if self._bar and total is not None:
            self.set_total(total)

    def set_total(self, total: int) -> None:
        """Say how many parcels the run has (a bar without a total gets it)."""
        self.total = int(total)
        if self._bar and getattr(self._hook, "total", None) in (None, 0):
            self._hook.total = self.total
            if hasattr(self._hook, "refresh"):
                self._hook.refresh()

    def stage(self, name: str, done: int) -> None:
        """*done* parcels have been through stage *name* (``"read"``, ``"check"``, ``"write"``)."""
        if self._hook is None:
            return
        if self._bar:
            if name != self._stage and hasattr(self._hook, "set_description"):
                self._hook.set_description(STAGES.get(name, name), refresh=False)
        elif self._staged:
            self._hook(int(done), self._total(), name)
        self._stage = name

    def done(self, done: int) -> None:
        """*done* parcels are finished (every stage)."""
        if self._hook is None:
            return
        done = int(done)
        if self._bar:
            if done > self._done:
                self._hook.update(done - self._done)
        elif not self._staged:
            self._hook(done, self._total())
        self._done = max(self._done, done)

    def _total(self) -> int:
        return int(self.total) if self.total is not None else self._done


class Clock:
    """Wall time per stage: ``clock("read")`` closes the stage since the last call.

    Each time is logged at DEBUG and told to *callback* (``timings(stage,
    seconds)``, for benchmarks); :attr:`t` sums them per stage.

    Examples
    --------
    >>> seen = []
    >>> clock = Clock(lambda stage, s: seen.append(stage))
    >>> clock("read"); clock("check"); clock("read")
    >>> seen, sorted(clock.totals())
    (['read', 'check', 'read'], ['check', 'read'])
    """

    def __init__(self, callback: Callable[[str, float], None] | None = None) -> None:
        self._cb = callback
        self._last = time.perf_counter()
        self.t: dict[str, float] = {}

    def __call__(self, stage: str) -> None:
        """Close *stage*: the time since the last call counts for it."""
        now = time.perf_counter()
        dt = now - self._last
        self._last = now
        self.t[stage] = self.t.get(stage, 0.0) + dt
        log.debug("%s: %.3f s", stage, dt)
        if self._cb is not None:
            self._cb(stage, dt)

    def totals(self) -> dict[str, float]:
        """Seconds per stage, rounded to milliseconds."""
        return {k: round(v, 3) for k, v in self.t.items()}
