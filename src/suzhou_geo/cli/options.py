"""Options shared by several subcommands (like ``rasterio.rio.options``), and how inputs are built from them.

Every input of a command has its own options: ``--crs`` for the main input,
``--redlines-crs`` for the redlines, ``--minus-crs`` for ``--minus``, …; an
option never touches another input.  :func:`input_options` adds them,
:func:`source` turns them into a :class:`suzhou_geo.io.Source` whose error
messages name these flags, not Python arguments.
"""

from __future__ import annotations

import click

crs_opt = click.option(
    "--crs",
    default=None,
    metavar="CRS",
    help="CRS of input without one (e.g. EPSG:4549), or GCJ-02 for Amap/Gaode coordinates.",
)
encoding_opt = click.option(
    "--encoding", default=None, metavar="ENC", help="Text encoding of a Shapefile .dbf (e.g. GBK)."
)
output_opt = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
    help="Write the result to this file (format from the extension: .gpkg, .geojson, .shp, .csv).",
)


class InputError(click.ClickException):
    """Unusable input (a file, a CRS, a name): message on stderr, exit status 2."""

    exit_code = 2


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
    opts = [
        click.option(_flag(p, "crs"), default=None, metavar="CRS",
                     help=f"CRS of {what} when it declares none (EPSG:4549, EPSG:4528, GCJ-02 for Amap/Gaode)."),
        click.option(_flag(p, "encoding"), default=None, metavar="ENC",
                     help=f"Text encoding of {what} (e.g. GBK), if detection is not enough."),
        click.option(_flag(p, "datum-shift"), default=None, metavar="PARAMS",
                     help=f"For {what} in Xi'an 1980 / Beijing 1954: the local transformation to CGCS2000, "
                          "'dx,dy,dz[,rx,ry,rz,ds]' (m, arc-seconds, ppm) or a PROJ pipeline."),
        click.option(_flag(p, "approximate-datum"), is_flag=True, default=False,
                     help=f"Accept an approximate conversion of {what} in a legacy datum (± about 100 m, "
                          "said in every output)."),
    ]
    if layer:
        opts.append(click.option(_flag(p, "layer"), default=None, metavar="NAME",
                                 help=f"Layer of a multi-layer file (GeoPackage, FileGDB), table of a database, "
                                      f"AutoCAD layer of a DXF (红线), folder of a KML/KMZ or sheet of a workbook, "
                                      f"for {what}."))
    if invalid:
        opts.append(click.option(_flag(p, "invalid"), type=click.Choice(["raise", "repair", "exclude"]),
                                 default=None,
                                 help=f"Features of {what} whose repair changes their area (a bow-tie): stop "
                                      "(raise, the default), count the repaired shape (repair) or leave them out "
                                      "(exclude); every result says which."))

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
            "give 'dx,dy,dz' or 'dx,dy,dz,rx,ry,rz,ds' (m, arc-seconds, ppm), or a PROJ pipeline",
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
