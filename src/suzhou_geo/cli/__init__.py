"""The ``suzhou-geo`` command: one click group, one module per subcommand (like rasterio's ``rio``).

Subcommands are imported lazily so that ``suzhou-geo --help`` stays fast; each is
registered in :data:`COMMANDS` as ``name: "module:function"``.
"""

from __future__ import annotations

import importlib
import logging

import click

from .options import Group

__all__ = ["main", "COMMANDS"]

#: name -> "module:attribute" of the click command (modules under suzhou_geo.cli).
COMMANDS: dict[str, str] = {
    "info": "basic:info",
    "boundary": "basic:boundary_cmd",
    "convert": "convert:convert_cmd",
    "area": "basic:area_cmd",
    "report": "report:report_cmd",
    "floors": "redlines:floors_cmd",
    "joint-zone": "redlines:joint_zone_cmd",
    "map": "maps:map_cmd",
    "zonal": "raster:zonal_cmd",
    "rasterize": "raster:rasterize_cmd",
    "schemes": "schemes:schemes_cmd",
    "scheme": "schemes:scheme_cmd",
    "validate": "validate:validate_cmd",
    "jurisdictions": "places:jurisdictions_cmd",
    "occupancy": "redline_use:occupancy_cmd",
    "compare": "redline_use:compare_cmd",
}


class LazyGroup(Group):
    """A click group that imports a subcommand only when it is used.

    It is also the one error handler of every subcommand: the library's own
    errors (unusable input, outputs that may not be written) and operating-system
    errors become one line on stderr and exit status 2, never a traceback; the
    library's warnings are shown as ``warning: …`` lines.  While a subcommand
    runs, the library spells the options it suggests as that subcommand's
    flags (:func:`spelling`), and suggests none the subcommand does not offer.
    """

    def invoke(self, ctx: click.Context):
        from suzhou_geo.errors import SuzhouGeoError

        from .options import InputError

        with _plain_warnings():
            try:
                return super().invoke(ctx)
            except (SuzhouGeoError, OSError) as exc:
                logging.getLogger(__name__).debug("failed", exc_info=True)
                raise InputError(_one_line(exc)) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str):
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        cmd = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        if not getattr(cmd, "_spelled", False):
            cmd.callback = _spelled(cmd.callback, spelling(cmd))
            cmd._spelled = True
        return cmd


def spelling(cmd: click.Command) -> dict[str, str | None]:
    """How the library's options are spelled in *cmd*: its flags by parameter name, and its own mapping.

    A command maps the library's keyword names it spells differently in a
    ``spelling`` attribute (``zonal``: ``{"categorical": "--continuous"}``).

    Examples
    --------
    >>> s = spelling(main.get_command(None, "zonal"))
    >>> s["band"], s["categorical"], s["zones_crs"]
    ('--band {value}', '--continuous', '--crs {value}')
    """
    out: dict[str, str | None] = {}
    for p in cmd.params:
        if isinstance(p, click.Option) and p.name:
            flag = max(p.opts, key=len)
            out[p.name] = flag if p.is_flag else f"{flag} {{value}}"
    out.update(getattr(cmd, "spelling", {}) or {})
    return out


def _spelled(callback, table: dict[str, str | None]):
    import functools

    @functools.wraps(callback)
    def run(*args, **kwargs):
        from suzhou_geo.errors import spelled

        with spelled(table, only=True):
            return callback(*args, **kwargs)

    return run


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="suzhou_geo", help="显示版本并退出。 / Show the version and exit.")
@click.option("-v", "--verbose", count=True,
              help="输出更多日志（-v 信息，-vv 调试）。 / More log output (-v info, -vv debug).")
def main(verbose: int) -> None:
    """苏州、昆山生态空间分析 Ecological-zoning analysis for Suzhou (苏州) and Kunshan (昆山).

    \b
    内置数据：高德行政区划面（已由 GCJ-02 转换为 CGCS2000）、GSHHG 水系、
    示意性的规划格局图层，以及示意（非官方）生态保护红线样例。

    Bundled data: Amap boundaries converted to CGCS2000, GSHHG hydrography,
    schematic plan layers and an ILLUSTRATIVE (not official) redline sample.

    子命令的用法 Help on a subcommand: suzhou-geo COMMAND -h
    """  # noqa: D301 - click's \b keeps a paragraph as written
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and getattr(exc, "filename", None) and str(exc.filename) not in text:
        text = f"{exc.filename}: {text}"
    return " ".join(text.split())


class _plain_warnings:
    """Show the library's warnings as ``warning: <message>`` on stderr while a command runs."""

    def __enter__(self):
        import warnings

        self._old = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            from suzhou_geo.errors import SuzhouGeoWarning

            if issubclass(category, SuzhouGeoWarning):
                click.echo(f"警告 warning: {message}", err=True)
            else:
                self._old(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        return self

    def __exit__(self, *exc):
        import warnings

        warnings.showwarning = self._old
        return False
