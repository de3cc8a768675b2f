"""What the library says during a run, told to Processing's feedback.

* :func:`library_calls` wraps an algorithm's work: the library's errors
  (:class:`suzhou_geo.errors.SuzhouGeoError`, and the ``ValueError`` its
  functions document for a bad name or distance) become a
  :class:`~qgis.core.QgsProcessingException` with the library's one-line
  message; its warnings (:class:`~suzhou_geo.errors.SuzhouGeoWarning`) and log
  records go to the feedback's log.
* :class:`Progress` maps a stage of the run to a span of the progress bar and
  stops the library when the user cancels.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from qgis.core import QgsProcessingException, QgsProcessingFeedback

__all__ = ["Cancelled", "Progress", "library_calls", "CANCELLED"]

#: What a cancelled run says.
CANCELLED = "已取消 Cancelled by the user"


class Cancelled(Exception):
    """Raised inside a library call when the user pressed Cancel."""


class Progress:
    """A span of the progress bar, from *start* to *end* percent, for one stage of a run.

    Call it as the library's ``progress`` hook (``progress(done, total)`` or
    ``progress(done, total, stage)``) or with a fraction (:meth:`fraction`).

    Parameters
    ----------
    feedback : QgsProcessingFeedback
    start, end : float
        The span of the bar, in percent.
    """

    def __init__(self, feedback: QgsProcessingFeedback, start: float, end: float) -> None:
        self.feedback = feedback
        self.start = float(start)
        self.end = float(end)

    #: Share of the span each stage of the library's work fills (reading is quick, checking is not).
    STAGES = {"read": (0.0, 0.1), "check": (0.1, 1.0), "write": (0.1, 1.0)}

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        """Move the bar to *done* of *total* parcels (the library's ``progress`` hook)."""
        low, high = self.STAGES.get(stage or "check", (0.0, 1.0))
        self.fraction(low + (high - low) * (done / total if total else 1.0))

    def fraction(self, value: float) -> None:
        """Move the bar to *value* (0–1) of this span; raise :class:`Cancelled` if cancelled."""
        if self.feedback.isCanceled():
            raise Cancelled
        value = min(max(float(value), 0.0), 1.0)
        self.feedback.setProgress(self.start + (self.end - self.start) * value)


class _FeedbackHandler(logging.Handler):
    """Log records of the library, to the feedback's log (each message once per run)."""

    def __init__(self, feedback: QgsProcessingFeedback) -> None:
        super().__init__(logging.INFO)
        self.feedback = feedback
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        """Tell the feedback: warnings as warnings, the rest as information."""
        text = record.getMessage()
        if text in self.seen:  # e.g. a what-if layer read once per region
            return
        self.seen.add(text)
        if record.levelno >= logging.WARNING:
            self.feedback.pushWarning(text)
        else:
            self.feedback.pushInfo(text)


def _library_errors() -> tuple[type[BaseException], ...]:
    from suzhou_geo.errors import SuzhouGeoError

    return (SuzhouGeoError, ValueError)


@contextmanager
def _library_log(feedback: QgsProcessingFeedback) -> Iterator[None]:
    logger = logging.getLogger("suzhou_geo")
    handler = _FeedbackHandler(feedback)
    level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _push_warnings(feedback: QgsProcessingFeedback, caught: list[warnings.WarningMessage]) -> None:
    from suzhou_geo.errors import SuzhouGeoWarning

    for w in caught:
        if issubclass(w.category, SuzhouGeoWarning):
            feedback.pushWarning(str(w.message))
        else:
            feedback.pushDebugInfo(f"{w.category.__name__}: {w.message}")


@contextmanager
def library_calls(feedback: QgsProcessingFeedback) -> Iterator[None]:
    """Run library calls with their errors, warnings and log told to Processing.

    Parameters
    ----------
    feedback : QgsProcessingFeedback

    Raises
    ------
    QgsProcessingException
        With the library's one-line message (what is wrong, where, and the fix),
        or :data:`CANCELLED`.
    """
    errors = _library_errors()
    with warnings.catch_warnings(record=True) as caught, _library_log(feedback):
        warnings.simplefilter("always")
        try:
            yield
        except Cancelled:
            raise QgsProcessingException(CANCELLED) from None
        except errors as exc:
            raise QgsProcessingException(str(exc)) from None
        finally:
            _push_warnings(feedback, caught)
