"""The output half of the commands that write files: checks, writing, warnings and the printed summary."""

from __future__ import annotations

import warnings
from typing import Any

import click

from .options import fail

__all__ = ["output_message", "check_output_or_fail", "write_or_fail", "print_summary"]


def output_message(exc: Exception) -> str:
    """Return the message of an OutputError, naming the command-line option instead of the keyword."""
    hint = getattr(exc, "hint", None) or ""
    hint = hint.replace("pass overwrite=True", "use --overwrite")
    text = (
        f"{exc.source}: {exc.message}"
        if getattr(exc, "source", None)
        else str(getattr(exc, "message", exc))
    )
    return f"{text}. Fix: {hint}" if hint else text


def check_output_or_fail(output: str, *, overwrite: bool, inputs: list[Any]) -> Any:
    """Stop (exit 2) before any work if OUTPUT is an input or exists without --overwrite.

    Returns the checked path: given to :func:`write_or_fail`, it is not checked again.
    """
    from suzhou_geo.errors import OutputError
    from suzhou_geo.io import check_output

    try:
        return check_output(output, overwrite=overwrite, inputs=inputs)
    except OutputError as exc:
        fail(output_message(exc))


def write_or_fail(frame: Any, output: str, **kwargs: Any) -> Any:
    """Write *frame* with :func:`suzhou_geo.write_layer`; its warnings go to stderr as notes."""
    from suzhou_geo.errors import OutputError, SuzhouGeoWarning
    from suzhou_geo.report import write_layer

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SuzhouGeoWarning)
        try:
            written = write_layer(frame, output, **kwargs)
        except OutputError as exc:
            fail(output_message(exc))
    for w in caught:
        if issubclass(w.category, SuzhouGeoWarning):
            click.echo(f"提示 note: {w.message}", err=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return written


def print_summary(report: Any, summary: Any = None) -> None:
    """Print the verdict counts and the counts by county-level unit (every unit, with a total).

    *summary* may be given instead of (or with) *report* (a streamed run has no report in memory).
    """
    import suzhou_geo as sg
    from suzhou_geo.report.tables import report_notes, text_table, unit_table, verdict_table

    summary = summary if summary is not None else sg.summarize(report)
    click.echo(text_table(verdict_table(report, summary)))
    click.echo("")
    click.echo(text_table(unit_table(report, summary)))
    if summary.illustrative:
        click.echo("")
        click.echo(report_notes(report)[0] if report is not None else summary.note.splitlines()[0])
