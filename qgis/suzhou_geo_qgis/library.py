"""Check that the suzhou_geo library is importable from QGIS's Python, and new enough.

The plugin holds no analysis of its own: every algorithm calls the library.  When
QGIS's Python cannot import it, the plugin registers no algorithms and says, in
Chinese and English, what to install and how (this module builds that message;
:mod:`.plugin` shows it).  Nothing here imports QGIS, so it can be tested anywhere.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

__all__ = ["MIN_VERSION", "LibraryStatus", "check_library", "missing_message"]

#: The oldest suzhou_geo release whose API the algorithms call.
MIN_VERSION = "0.1.0"


@dataclass(frozen=True)
class LibraryStatus:
    """The result of :func:`check_library`.

    Attributes
    ----------
    ok : bool
        The library was imported and is at least :data:`MIN_VERSION`.
    version : str
        Its version ("" when it could not be imported).
    problem : str
        What went wrong, as Python said it ("" when ``ok``).
    """

    ok: bool
    version: str = ""
    problem: str = ""


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_library(name: str = "suzhou_geo") -> LibraryStatus:
    """Import the library and compare its version with :data:`MIN_VERSION`.

    Parameters
    ----------
    name : str, default "suzhou_geo"
        The module to import (tests pass another name to see the failure).

    Returns
    -------
    LibraryStatus

    Examples
    --------
    >>> check_library("no_such_module_here").ok
    False
    """
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # ImportError, or a broken dependency raising anything at import
        return LibraryStatus(False, "", f"{type(exc).__name__}: {exc}")
    version = str(getattr(module, "__version__", "0"))
    if _version_tuple(version) < _version_tuple(MIN_VERSION):
        return LibraryStatus(False, version, f"suzhou_geo {version} < {MIN_VERSION}")
    return LibraryStatus(True, version)


def missing_message(status: LibraryStatus) -> str:
    """Return the bilingual message shown when the library cannot be used: what is wrong, the fix.

    Parameters
    ----------
    status : LibraryStatus
        The failed check.

    Returns
    -------
    str
        Plain text, Chinese first, English after; names QGIS's Python so the
        reader knows which Python to install into.
    """
    python = f"Python {sys.version.split()[0]} ({sys.prefix})"
    site = f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
    return (
        f"suzhou_geo 插件无法使用：QGIS 的 Python 中没有可用的 suzhou_geo 库（{status.problem}）"
        f"。请把 suzhou_geo（{MIN_VERSION} 或更新版本）安装到 QGIS 所用的 Python 中，然后重启 "
        "QGIS：\n  Debian/Ubuntu：python3 -m venv --system-site-packages ~/.venvs/suzhou_geo "
        "&& ~/.venvs/suzhou_geo/bin/pip install <suzhou_geo 源码目录或 .whl 文件>，再以 "
        f"PYTHONPATH=$HOME/.venvs/suzhou_geo/{site} 启动 QGIS（或在 设置 → 选项 → 系统 → 环境 "
        "中设置 PYTHONPATH）；\n  Windows：在 OSGeo4W Shell 中运行 python -m pip install "
        f"<suzhou_geo 源码目录或 .whl 文件>。\nQGIS 的 Python：{python}。详见 README 的 QGIS "
        "一节。\n\nThe suzhou_geo plugin cannot run: QGIS's Python has no usable suzhou_geo "
        f"library ({status.problem}). Install suzhou_geo ({MIN_VERSION} or newer) into the "
        "Python QGIS runs, then restart QGIS:\n  Debian/Ubuntu: python3 -m venv "
        "--system-site-packages ~/.venvs/suzhou_geo && ~/.venvs/suzhou_geo/bin/pip install "
        "<the suzhou_geo folder or .whl file>, then start QGIS with "
        f"PYTHONPATH=$HOME/.venvs/suzhou_geo/{site} (or set PYTHONPATH under Settings → Options "
        "→ System → Environment);\n  Windows: in the OSGeo4W Shell run python -m pip install "
        f"<the suzhou_geo folder or .whl file>.\nQGIS's Python: {python}. See the QGIS section "
        "of the README."
    )
