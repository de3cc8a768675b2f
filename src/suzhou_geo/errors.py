"""One exception tree for the whole library, and the one warning class.

Every error the library raises on purpose is a :class:`SuzhouGeoError`.  Errors
about what the user passed are :class:`InputError` (also a :class:`ValueError`,
so ``except ValueError`` keeps working) and carry *where* the problem is —
``source`` (file, table or argument), ``row`` and ``column`` — and *what to do*
(``hint``)::

    SuzhouGeoError
    ├── InputError(ValueError)        source, row, column, hint
    │   ├── CRSError                  missing, wrong or unusable CRS
    │   │   └── DatumError            a legacy datum (Xi'an 1980, Beijing 1954) without parameters
    │   ├── ReadError                 a file or table that cannot be read (wraps pyogrio/GDAL)
    │   │   └── MissingFileError(FileNotFoundError)
    │   └── GeometryError             geometry that cannot be used (NaN coordinates, zero area, ...)
    ├── OutputError(ValueError)       an output that cannot or may not be written
    └── MissingDependencyError(ImportError)   an optional extra is not installed

Warnings are :class:`SuzhouGeoWarning`: a guess the library made and says so
(an encoding re-read, a renamed input column, an approximate datum).

Like pyogrio's errors, the library wraps what GDAL or PROJ said (kept in the
message), adds a hint, and raises ``from None`` so the user sees one message,
not a chain of internal frames.

Rows are named as people count them: from 1, as QGIS numbers features and Excel
numbers data rows (:class:`Row`: "第 67 个要素 feature 67"), with the frame's own
index label beside the number when the input has ids of its own.

Examples
--------
>>> err = InputError("no CRS", source="parcels.shp", hint="pass crs='EPSG:4549'")
>>> print(err)
parcels.shp: no CRS. Fix: pass crs='EPSG:4549'
>>> isinstance(err, ValueError), err.source
(True, 'parcels.shp')
>>> print(InputError("NaN coordinates", source="parcels.shp", row=Row(67)))
parcels.shp: 第 67 个要素 feature 67: NaN coordinates
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = [
    "SuzhouGeoError",
    "InputError",
    "CRSError",
    "DatumError",
    "ReadError",
    "MissingFileError",
    "GeometryError",
    "OutputError",
    "MissingDependencyError",
    "SuzhouGeoWarning",
    "missing_extra",
    "arg",
    "arg_name",
    "spelled",
    "Row",
    "row_at",
]


class SuzhouGeoError(Exception):
    """The root of every error suzhou_geo raises on purpose."""


class Row:
    """A row (feature) as people count it: from 1, like QGIS's features and Excel's data rows.

    Parameters
    ----------
    number : int
        1 for the first row of the input.
    label : object, optional
        The row's index label, shown beside the number when the input has ids
        of its own (an index that is not simply 0, 1, 2 …).

    Examples
    --------
    >>> print(Row(67))
    第 67 个要素 feature 67
    >>> print(Row(67, "SYN-0067")), Row(67, "SYN-0067").en
    第 67 个要素 feature 67 (索引 index SYN-0067)
    (None, 'feature 67 (index SYN-0067)')
    """

    __slots__ = ("number", "label")

    def __init__(self, number: int, label: Any = None) -> None:
        self.number = int(number)
        self.label = label

    @property
    def zh(self) -> str:
        """The Chinese half: ``'第 67 个要素'``, ``'第 67 个要素（索引 SYN-0067）'``."""
        return f"第 {self.number} 个要素" + ("" if self.label is None else f"（索引 {self.label}）")

    @property
    def en(self) -> str:
        """The English half: ``'feature 67'``, ``'feature 67 (index SYN-0067)'``."""
        return f"feature {self.number}" + ("" if self.label is None else f" (index {self.label})")

    def __str__(self) -> str:
        label = "" if self.label is None else f" (索引 index {self.label})"
        return f"第 {self.number} 个要素 feature {self.number}{label}"

    def __repr__(self) -> str:
        return f"Row({self.number!r}{'' if self.label is None else ', ' + repr(self.label)})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return (self.number, self.label) == (other.number, other.label)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.number, self.label))

    def __reduce__(self):
        return (Row, (self.number, self.label))


def row_at(index: Any, position: int, offset: int = 0) -> Row:
    """Return the :class:`Row` at *position* (0-based) of a frame whose *index* is given.

    *offset* is the number of rows before the frame (a batch of a streamed
    file).  The index label is kept when it is not the row's own position
    (the input has ids of its own).

    Examples
    --------
    >>> import pandas as pd
    >>> print(row_at(pd.RangeIndex(100), 66)), print(row_at(pd.Index(["a", "b"]), 1))
    第 67 个要素 feature 67
    第 2 个要素 feature 2 (索引 index b)
    (None, None)
    """
    label = index[position]
    number = offset + int(position) + 1
    try:
        own = not (int(label) == number - 1 and float(label) == int(label))
    except (TypeError, ValueError):
        own = True
    return Row(number, label if own else None)


class _Located:
    """Mixin: a message with where (source, row, column) and what to do (hint).

    ``str(err)`` reads ``"<source>: 第 <n> 个要素 feature <n>, column <column>: <message>. Fix: <hint>"``;
    the parts are also attributes.  *row* is a :class:`Row` (counted from 1);
    any other value is an index label and is shown as such.  Pickles with its attributes (dask workers
    send errors back to the client).
    """

    def __init__(
        self,
        message: str,
        *,
        source: Any = None,
        row: Any = None,
        column: Any = None,
        hint: str | None = None,
    ) -> None:
        self.message = str(message)
        self.source = None if source is None else str(source)
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self._text())

    def _text(self) -> str:
        where = []
        if isinstance(self.row, Row):
            where.append(str(self.row))
        elif self.row is not None:
            where.append(f"索引 index {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        head = ", ".join(where)
        text = self.message.rstrip()
        if head:
            text = f"{head}: {text}"
        if self.source and not text.startswith(self.source):
            text = f"{self.source}: {text}"
        if self.hint:
            text = f"{text.rstrip('.')}. Fix: {self.hint}"
        return text

    def __reduce__(self):
        return (
            _rebuild,
            (type(self), self.message, self.source, self.row, self.column, self.hint),
        )


def _rebuild(cls, message, source, row, column, hint):
    return cls(message, source=source, row=row, column=column, hint=hint)


class InputError(_Located, SuzhouGeoError, ValueError):
    """Something the user passed cannot be used as it is (a file, a value, a name).

    Attributes
    ----------
    message : str
        What is wrong.
    source : str or None
        The file, table or argument it is about.
    row : Row or None
        The row it is about, counted from 1 (:class:`Row`), with its index label
        when the input has ids of its own.
    column : str or None
        The column it is about.
    hint : str or None
        What to do about it; names only arguments the function called takes.
    """


class CRSError(InputError):
    """A layer's coordinate reference system is missing, wrong or unusable.

    The message names the CRS the coordinates look like and the argument to pass.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from suzhou_geo.crs import ensure_crs
    >>> try:
    ...     ensure_crs(gpd.GeoDataFrame(geometry=[Point(557000, 3464000)]), name="parcels.shp")
    ... except CRSError as exc:
    ...     print("EPSG:4549" in str(exc), "parcels.shp" in str(exc))
    True True
    """


class DatumError(CRSError):
    """A legacy datum (Xi'an 1980, Beijing 1954, New Beijing 1954) given without transformation parameters.

    PROJ knows no published transformation from these datums to CGCS2000, only
    a "ballpark" offset tens of metres wrong around Suzhou.  The message says how
    to pass the local parameters, or how to accept an approximate result.
    """


class ReadError(InputError):
    """A file, folder or database table cannot be read (GDAL's words are kept in the message)."""


class MissingFileError(ReadError, FileNotFoundError):
    """The path does not exist."""


class GeometryError(InputError):
    """A feature's geometry cannot be used (non-finite coordinates, no area, not a polygon)."""


class OutputError(_Located, SuzhouGeoError, ValueError):
    """An output cannot or may not be written (it is an input, it exists, the format cannot hold it)."""


class MissingDependencyError(SuzhouGeoError, ImportError):
    """An optional dependency is missing; the message names the extra that installs it."""


class SuzhouGeoWarning(UserWarning):
    """The library made a decision the user should know about (and says how to change it)."""


def missing_extra(package: str, extra: str, what: str) -> MissingDependencyError:
    """Return the error for a missing optional dependency, naming the extra to install.

    Examples
    --------
    >>> print(missing_extra("psycopg", "postgis", "reading PostGIS tables"))
    reading PostGIS tables needs psycopg, which is not installed: pip install 'suzhou_geo[postgis]'
    """
    return MissingDependencyError(
        f"{what} needs {package}, which is not installed: pip install 'suzhou_geo[{extra}]'"
    )


#: The spellings in force (innermost last): pushed by :func:`spelled` for the duration of a call.
_SPELLINGS: ContextVar[tuple[tuple[Mapping[str, str | None], bool], ...]] = ContextVar(
    "suzhou_geo_spellings", default=()
)


@contextmanager
def spelled(spelling: Mapping[str, str | None] | None, *, only: bool = False) -> Iterator[None]:
    """Spell options as *spelling* says in every message raised inside the block.

    The command line wraps each subcommand in one (its flags, ``only=True``:
    an option it does not offer is not suggested at all); reading a
    :class:`suzhou_geo.io.Source` wraps the read in the spelling of whoever made
    that source.  Innermost wins; an explicit *spelling* given to :func:`arg` wins
    over all of them.

    Examples
    --------
    >>> with spelled({"band": "--band {value}"}, only=True):
    ...     arg("band", "2"), arg("chunk", "512")
    ('--band 2', None)
    >>> arg("band", "2")
    'band=2'
    """
    if not spelling and not only:
        yield
        return
    token = _SPELLINGS.set((*_SPELLINGS.get(), (dict(spelling or {}), only)))
    try:
        yield
    finally:
        _SPELLINGS.reset(token)


def arg(option: str, value: str, spelling: Mapping[str, str | None] | None = None) -> str | None:
    """How to tell the user to pass *option* with *value*, in the terms of the function they called.

    *spelling* maps option names to templates with ``{value}`` (a Python keyword
    such as ``"redlines_crs={value}"``, a CLI flag such as ``"--redlines-crs {value}"``);
    ``None`` for an option the caller does not offer.  Without a template the
    spellings in force (:func:`spelled`) decide, innermost first; without any,
    the option is spelled as a Python keyword argument of the same name.

    Examples
    --------
    >>> arg("crs", "'EPSG:4549'")
    "crs='EPSG:4549'"
    >>> arg("crs", "'EPSG:4549'", {"crs": "--minus-crs {value}"})
    '--minus-crs EPSG:4549'
    >>> arg("datum_shift", "{...}", {"datum_shift": None}) is None
    True
    """
    for table, only in ((spelling or {}, False), *reversed(_SPELLINGS.get())):
        if option in table:
            return _spell(table[option], value)
        if only:
            return None
    return f"{option}={value}"


def arg_name(option: str) -> str:
    """Return the name of *option* as the caller spells it, without a value (to say where a problem is).

    Examples
    --------
    >>> arg_name("distance_m")
    'distance_m'
    >>> with spelled({"distance_m": "--distance {value}"}, only=True):
    ...     arg_name("distance_m")
    '--distance'
    """
    spelled_as = arg(option, "\x00")
    if spelled_as is None:
        return option
    head = spelled_as.split("\x00")[0].rstrip(" =")
    return head or spelled_as.split()[0]


def _spell(template: str | None, value: str) -> str | None:
    if template is None:
        return None
    if "={value}" not in template:  # only a Python keyword takes a Python literal; a flag or a dialog the bare value
        value = value.strip("'\"")
    return template.format(value=value)
