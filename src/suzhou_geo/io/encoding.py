"""Text encodings of attribute tables: detect Chinese text decoded with the wrong code page.

Shapefiles from Chinese agencies are usually GBK, often without a ``.cpg`` (GDAL
then reads ISO-8859-1) or with one that lies (``1252``, or ``UTF-8`` over GBK
bytes).  Decoded with the wrong code page, ``'苏州市'`` becomes ``'ËÕÖÝÊÐ'``.  The
test used here asks whether the *bytes* behind the text, decoded as GB18030 (a
superset of GBK) or Big5, give common Chinese: real GBK text decodes to common
characters (GB2312's 6 763 hanzi) whatever ASCII is mixed in, while genuine
Latin text (``'Müller Straße'``) pairs an accented letter with an ASCII byte and
decodes, if at all, to rare characters.

Examples
--------
>>> mojibake = "苏州市 parcel 1".encode("gbk").decode("latin-1")
>>> mojibake
'ËÕÖÝÊÐ parcel 1'
>>> redecode([mojibake], "latin-1")
('GB18030', ['苏州市 parcel 1'])
>>> redecode(["Müller Straße"], "latin-1") is None
True
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

__all__ = ["suspicious", "redecode", "common_chinese", "gdal_name", "python_name"]

#: Candidate encodings of Chinese text, most likely first.
CHINESE_ENCODINGS = ("GB18030", "BIG5")

_GDAL_NAMES = {"iso8859-1": "ISO-8859-1", "utf-8": "UTF-8", "gbk": "GBK", "gb18030": "GB18030",
               "big5": "BIG5", "cp1252": "CP1252", "gb2312": "GB2312"}


def python_name(encoding: str) -> str | None:
    """Return the Python codec name of an encoding name (``"1252"`` → ``"cp1252"``), or None if unknown."""
    e = str(encoding).strip()
    if e.isdigit():  # .cpg files often hold a bare Windows code page number
        e = {"65001": "utf-8", "936": "gbk", "950": "big5", "54936": "gb18030"}.get(e, "cp" + e)
    try:
        return codecs.lookup(e).name
    except LookupError:
        return None


def gdal_name(encoding: str | None) -> str | None:
    """Python codec names (``"latin-1"``, ``"cp936"``) to the iconv names GDAL understands."""
    if encoding is None:
        return None
    name = python_name(encoding)
    if name is None:
        return encoding
    return _GDAL_NAMES.get(name, encoding)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def common_chinese(text: str) -> bool:
    """Return True if the non-ASCII characters of *text* are mostly common Chinese characters.

    Common means in GB2312 (simplified) or, for Big5 text, in the CJK Unified
    Ideographs block with no private-use or replacement characters.

    Examples
    --------
    >>> common_chinese("阳澄湖 wetland"), common_chinese("黮遝"), common_chinese("abc")
    (True, False, False)
    """
    wide = [ch for ch in text if ord(ch) >= 0x80]
    if not wide:
        return False
    if any(ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" for ch in wide):
        return False
    hanzi = sum("\u4e00" <= ch <= "\u9fff" for ch in wide)
    common = sum(_in_gb2312(ch) for ch in wide)
    return hanzi > 0 and common >= 0.8 * len(wide)


def suspicious(values: Iterable[object], limit: int = 2000) -> list[str]:
    """Strings that could be multi-byte text decoded one byte per character.

    Such strings hold only characters of a single-byte code page (below U+0100,
    or the Windows-1252 extras such as ``'€'``, ``'Œ'``) and at least one
    non-ASCII character.
    """
    out: list[str] = []
    seen = 0
    for v in values:
        if not isinstance(v, str) or not v:
            continue
        seen += 1
        if seen > limit:
            break
        if any(ord(c) >= 0x80 for c in v) and all(ord(c) < 0x100 or _cp1252_extra(c) for c in v):
            out.append(v)
    return out


def _cp1252_extra(c: str) -> bool:
    try:
        c.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def redecode(values: list[str], decoded_as: str) -> tuple[str, list[str]] | None:
    """Find the Chinese encoding that turns mis-decoded *values* into common Chinese.

    Parameters
    ----------
    values : list of str
        Strings as they were decoded (see :func:`suspicious`).
    decoded_as : str
        The encoding they were decoded with (``"latin-1"``, ``"cp1252"``).

    Returns
    -------
    (encoding, decoded values) or None
        UTF-8 if the bytes are UTF-8, else the first of GB18030 and Big5 for which at least half of the values
        decode to common Chinese; None if neither does.
    """
    if not values:
        return None
    for enc in _byte_encodings(decoded_as):
        try:
            raw = [v.encode(enc) for v in values]
        except UnicodeEncodeError:
            continue
        try:  # UTF-8 bytes read one byte per character
            text = [b.decode("utf-8") for b in raw]
            if any(ord(c) >= 0x100 for t in text for c in t):
                return "UTF-8", text
        except UnicodeDecodeError:
            pass
        for chinese in CHINESE_ENCODINGS:
            try:
                text = [b.decode(chinese) for b in raw]
            except UnicodeDecodeError:
                continue
            if 2 * sum(common_chinese(t) for t in text) >= len(text):
                return chinese, text
    return None


def _byte_encodings(decoded_as: str) -> tuple[str, ...]:
    """Return the codecs that give back the bytes behind text decoded as *decoded_as*."""
    name = python_name(decoded_as) or "latin-1"
    if name in ("iso8859-1", "latin-1"):
        return ("latin-1",)
    return (name, "latin-1")


def decodes_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode raw bytes as UTF-8, or else as common Chinese in GB18030/Big5: ``(encoding, text)`` or None.

    Examples
    --------
    >>> decodes_bytes("地块".encode("gbk"))
    ('GB18030', '地块')
    """
    try:
        return "UTF-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for chinese in CHINESE_ENCODINGS:
        try:
            text = data.decode(chinese)
        except UnicodeDecodeError:
            continue
        if common_chinese(text):
            return chinese, text
    return None
