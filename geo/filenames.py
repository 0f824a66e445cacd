"""File names made from names in data (a view sequence, an uploaded file, a data set): never a path.

A name typed in the app, carried by a URL (``?folge=…``) or taken from an uploaded file may be
``../../etc/passwd``, ``C:\\x``, ``/abs/path``, ``con``, hold a NUL or be thousands of characters
long. :func:`safe_name` turns any of them into one plain file name part, the one place where this
happens: the view sequences' files (:func:`geo.view.sequence_path`) and the names of the app's
downloads go through it.
"""

from __future__ import annotations

import unicodedata

#: Names Windows reserves for devices, with or without an extension (the data directory may lie
#: on a Windows share): never the stem of a file here.
RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                      *(f"lpt{i}" for i in range(10))})
#: At most this many bytes (UTF-8) in a name: file systems allow 255, and a suffix and the
#: temporary name of an atomic write (``.NAME.xxxxxxxx.neu``) must fit beside it.
MAX_BYTES = 200


def safe_name(name: object, *, default: str, max_chars: int | None = None) -> str:
    """`name` as one part of a file name, never a path.

    Letters, digits, ``-``, ``_`` and spaces are kept (after Unicode NFC); every other
    character (``/``, ``\\``, ``.``, ``:``, NUL, control characters …) becomes ``_``. The result
    has at most `max_chars` characters and :data:`MAX_BYTES` bytes in UTF-8, no leading or
    trailing spaces, and is never a Windows device name (:data:`RESERVED` gets an ``_``
    appended); `default` where nothing is left.

    >>> safe_name("../../etc/passwd", default="x")
    '______etc_passwd'
    >>> safe_name("Graffiti Innenstadt 2024", default="x")
    'Graffiti Innenstadt 2024'
    >>> safe_name("CON", default="x")
    'CON_'
    """
    text = unicodedata.normalize("NFC", str(name)[:4 * MAX_BYTES])  # more could never be kept
    text = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in text)[:max_chars or MAX_BYTES]
    text = text.encode("utf-8")[:MAX_BYTES].decode("utf-8", errors="ignore").strip()
    if text.casefold() in RESERVED:
        text += "_"
    return text or default
