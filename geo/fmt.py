"""Numbers as German readers expect them (``4.086.152``, ``3,7``)."""

from __future__ import annotations


def zahl(value: float, decimals: int = 0) -> str:
    """`value` with ``.`` as thousands separator and ``,`` as decimal mark."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
