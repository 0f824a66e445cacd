"""Numbers as readers expect them: German ``4.086.152``, ``3,7``; English ``4,086,152``, ``3.7``."""

from __future__ import annotations


def zahl(value: float, decimals: int = 0, *, lang: str = "de") -> str:
    """`value` rounded to `decimals` places, grouped in thousands.

    Parameters
    ----------
    value : float
    decimals : int
        Places after the decimal mark.
    lang : {"de", "en"}
        ``"de"`` (default): ``.`` groups thousands, ``,`` is the decimal mark;
        ``"en"``: ``,`` groups thousands, ``.`` is the decimal mark.

    >>> zahl(4086152.5, 1), zahl(4086152.5, 1, lang="en")
    ('4.086.152,5', '4,086,152.5')
    """
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
