"""Options shared by several subcommands (like ``rasterio.rio.options``), and how inputs are built from them.

Every input of a command has its own options: ``--crs`` for the main input,
``--redlines-crs`` for the redlines, ``--minus-crs`` for ``--minus``, …; an
option never touches another input.  :func:`input_options` adds them,
:func:`source` turns them into a :class:`suzhou_geo.io.Source` whose error
messages name these flags, not Python arguments.

The command line speaks Chinese first with English beside it, like the
reports: :class:`Command` and :class:`Group` give every help page bilingual
headings (用法 Usage, 选项 Options, 子命令 Commands), help texts and usage errors.
"""

from __future__ import annotations

import click

crs_opt = click.option(
    "--crs",
    default=None,
    metavar="CRS",
    help="输入未声明坐标系时的坐标系（如 EPSG:4549），高德坐标填 GCJ-02。 / CRS of input without one "
    "(e.g. EPSG:4549), or GCJ-02 for Amap/Gaode coordinates.",
)
encoding_opt = click.option(
    "--encoding", default=None, metavar="ENC",
    help="Shapefile .dbf 的文本编码（如 GBK）。 / Text encoding of a Shapefile .dbf (e.g. GBK).",
)
output_opt = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
    help="写出到此文件（格式由扩展名决定：.gpkg、.geojson、.shp、.csv）。 / Write the result to this file "
    "(format from the extension: .gpkg, .geojson, .shp, .csv).",
)
columns_opt = click.option(
    "--columns", type=click.Choice(["en", "zh"]), default="en", show_default=True,
    help="报告列名：en 为英文列名（判定另有中文列 verdict_zh），zh 为中文列名（判定、理由……，布尔值为 是/否）。 / "
    "Report column names: en (English; the verdict also in Chinese in verdict_zh) or zh (Chinese: 判定, "
    "理由, …; booleans as 是/否).",
)

#: click's own words in help pages and usage errors, with their Chinese.
_CLICK_WORDS = (
    ("Missing argument", "缺少参数"),
    ("Missing option", "缺少选项"),
    ("No such option", "没有这个选项"),
    ("No such command", "没有这个子命令"),
    ("Invalid value", "取值无效"),
    ("Got unexpected extra argument", "多余的参数"),
    ("requires an argument", "缺少取值"),
    ("does not exist", "不存在"),
)


def bilingual_usage(message: str) -> str:
    """Return a usage error of click's with its Chinese first.

    Examples
    --------
    >>> bilingual_usage("Missing argument 'PARCELS'.")
    "缺少参数 / Missing argument 'PARCELS'."
    """
    for en, zh in _CLICK_WORDS:
        if en in message:
            return f"{zh} / {message}"
    return f"用法错误 / {message}"


def _extra(text: str) -> str:
    return (text.replace("[required]", "[必填 required]").replace("[default: ", "[默认 default: ")
            .replace("; required]", "; 必填 required]"))


class _Bilingual:
    """Help pages and usage errors in Chinese and English (mixed into click's Command and Group)."""

    def get_help_option(self, ctx: click.Context):
        opt = super().get_help_option(ctx)  # type: ignore[misc]
        if opt is not None:
            opt.help = "显示本帮助并退出。 / Show this message and exit."
        return opt

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法 Usage: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if not isinstance(param, click.Option):
                continue
            rv = param.get_help_record(ctx)
            if rv is not None:
                records.append((rv[0], _extra(rv[1])))
        if records:
            with formatter.section("选项 Options"):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.UsageError as exc:
            raise UsageError(bilingual_usage(exc.format_message()), ctx=exc.ctx) from None


class UsageError(click.UsageError):
    """A usage error shown in Chinese and English: the usage line, where to find help, the error."""

    def show(self, file=None) -> None:
        """Print the usage, the help hint and ``错误 Error: <message>`` on stderr."""
        file = file or click.get_text_stream("stderr")
        if self.ctx is not None:
            click.echo(f"{self.ctx.get_usage()}\n帮助 Help: {self.ctx.command_path} -h\n", file=file,
                       color=self.ctx.color)
        click.echo(f"错误 Error: {self.format_message()}", file=file)


class Command(_Bilingual, click.Command):
    """A subcommand whose help page and usage errors are bilingual."""


class Group(_Bilingual, click.Group):
    """A command group whose help page and usage errors are bilingual; its list is headed 子命令 Commands."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """Find the subcommand; an unknown name is a bilingual usage error."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise UsageError(bilingual_usage(exc.format_message()), ctx=exc.ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands with their whole short help (never cut with "…")."""
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if commands:
            width = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("子命令 Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(width)) for name, cmd in commands])


class InputError(click.ClickException):
    """Unusable input (a file, a CRS, a name): message on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        """Print ``错误 Error: <message>`` on stderr."""
        click.echo(f"错误 Error: {self.format_message()}", file=file or click.get_text_stream("stderr"))


def fail(message: str) -> None:
    """Stop with a readable error and exit status 2 (unusable input)."""
    raise InputError(message)


def _flag(prefix: str, name: str) -> str:
    return f"--{prefix + '-' if prefix else ''}{name}"


def input_options(prefix: str = "", what: str = "the input", *, layer: bool = True, invalid: bool = False):
    """Return a decorator adding the reading options of one input: CRS, encoding, layer, legacy datum.

    With ``prefix="redlines"`` the options are ``--redlines-crs``, ``--redlines-encoding``, …
    and arrive as ``redlines_crs``, ``redlines_encoding``, … keyword arguments.
    """
    p = prefix.replace("_", "-")
    zh = (what[4:] if what.startswith("the ") else what).replace(" file", " 文件")
    opts = [
        click.option(_flag(p, "crs"), default=None, metavar="CRS",
                     help=f"{zh} 未声明坐标系时的坐标系（EPSG:4549、EPSG:4528，高德坐标为 GCJ-02）。 / CRS of {what} "
                          "when it declares none (EPSG:4549, EPSG:4528, GCJ-02 for Amap/Gaode)."),
        click.option(_flag(p, "encoding"), default=None, metavar="ENC",
                     help=f"{zh} 的文本编码（如 GBK），自动识别不足时使用。 / Text encoding of {what} (e.g. GBK), "
                          "if detection is not enough."),
        click.option(_flag(p, "datum-shift"), default=None, metavar="PARAMS",
                     help=f"{zh} 为西安 1980 / 北京 1954 坐标时，转换到 CGCS2000 的本地参数 'dx,dy,dz[,rx,ry,rz,ds]'"
                          f"（米、角秒、ppm）或 PROJ 管道。 / For {what} in Xi'an 1980 / Beijing 1954: the local "
                          "transformation to CGCS2000, 'dx,dy,dz[,rx,ry,rz,ds]' (m, arc-seconds, ppm) or a PROJ "
                          "pipeline."),
        click.option(_flag(p, "approximate-datum"), is_flag=True, default=False,
                     help=f"接受 {zh} 旧坐标系的近似转换（约 ±100 m，每个输出均注明）。 / Accept an approximate "
                          f"conversion of {what} in a legacy datum (± about 100 m, said in every output)."),
    ]
    if layer:
        opts.append(click.option(_flag(p, "layer"), default=None, metavar="NAME",
                                 help=f"{zh} 的图层（多图层文件如 GeoPackage、FileGDB）、数据库表、DXF 的 AutoCAD 图层"
                                      "（如 红线）、KML/KMZ 的文件夹或工作簿的工作表。 / Layer of a multi-layer file "
                                      "(GeoPackage, FileGDB), table of a database, AutoCAD layer of a DXF (红线), "
                                      f"folder of a KML/KMZ or sheet of a workbook, for {what}."))
    if invalid:
        opts.append(click.option(_flag(p, "invalid"), type=click.Choice(["raise", "repair", "exclude"]),
                                 default=None,
                                 help=f"{zh} 中修复会改变面积的要素（如自相交的“蝴蝶结”）：停止（raise，默认）、"
                                      "按修复后的形状计入（repair）或排除（exclude）；每个结果都会注明。 / Features of "
                                      f"{what} whose repair changes their area (a bow-tie): stop (raise, the "
                                      "default), count the repaired shape (repair) or leave them out (exclude); "
                                      "every result says which."))

    def deco(f):
        for o in reversed(opts):
            f = o(f)
        return f

    return deco


def _datum_shift(text: str | None, flag: str):
    if text is None:
        return None
    t = text.strip()
    if t.startswith(("+proj", "proj=", "pipeline")):
        return t
    try:
        nums = [float(v) for v in t.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(
            "请给出 'dx,dy,dz' 或 'dx,dy,dz,rx,ry,rz,ds'（米、角秒、ppm）或 PROJ 管道 / give 'dx,dy,dz' or "
            "'dx,dy,dz,rx,ry,rz,ds' (m, arc-seconds, ppm), or a PROJ pipeline",
            param_hint=flag,
        ) from None
    return nums


def source(data, prefix: str = "", **options):
    """Return a :class:`suzhou_geo.io.Source` for one input, from that input's options.

    The options' keyword names are as click gives them.
    """
    from suzhou_geo.io import Source

    key = (prefix + "_") if prefix else ""
    p = prefix.replace("_", "-")
    spelling = {
        "crs": _flag(p, "crs") + " {value}",
        "encoding": _flag(p, "encoding") + " {value}",
        "datum_shift": _flag(p, "datum-shift") + " 'dx,dy,dz,rx,ry,rz,ds'",
        "approximate_datum": _flag(p, "approximate-datum"),
        "layer": _flag(p, "layer") + " {value}",
        "invalid": _flag(p, "invalid") + " {value}",
        "override_crs": None,
        "swap_xy": None,
    }
    if data is None:
        return None
    return Source(
        data,
        crs=options.get(key + "crs"),
        encoding=options.get(key + "encoding"),
        layer=options.get(key + "layer"),
        datum_shift=_datum_shift(options.get(key + "datum_shift"), _flag(p, "datum-shift")),
        approximate_datum=bool(options.get(key + "approximate_datum")),
        invalid=options.get(key + "invalid"),
        spelling=spelling,
    )
