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


def p_wert(p: float, *, lang: str = "de") -> str:
    """A p-value to three places, ``< 0,001`` below that (``< 0.001`` in English).

    >>> p_wert(0.04567), p_wert(0.00002, lang="en")
    ('0,046', '< 0.001')
    """
    return f"< {zahl(0.001, 3, lang=lang)}" if p < 0.001 else zahl(p, 3, lang=lang)
