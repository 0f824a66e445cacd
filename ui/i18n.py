"""The page's language: German first, English with ``?sprache=en`` (:mod:`geo.lang`).

``_("Zeitraum")`` is the German text (the catalogue key) in this run's language and
``_n(1234.5, 1)`` a number as its readers write it. Both read the language of the session
when called. A widget's ``format_func`` is a lookup in labels translated during the run
(``{m: _(label) ...}.__getitem__``), never a lambda around ``_``: it is also called outside
a run (Streamlit's test harness), where no session says the language.
"""

from __future__ import annotations

import html
import re

import streamlit as st

from geo import lang as langs
from geo.fmt import zahl


def lang() -> str:
    """The interface language of this run (``w_sprache``: set from ``?sprache=``, then the switch)."""
    return st.session_state.get("w_sprache", langs.DEFAULT_LANG)


def _(text: str) -> str:
    return langs.translate(text, lang())


def _n(value: float, decimals: int = 0) -> str:
    return zahl(value, decimals, lang=lang())


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#~|$&])")
#: Streamlit links addresses (``http://…``, ``www.…``, ``name@host.de``) in the text it renders,
#: after Markdown escapes are resolved: an invisible word joiner after ``:``, ``www`` and ``@``
#: keeps them text.
_ADDRESS = re.compile(r"(:(?=//)|\bwww(?=\.)|@)", re.IGNORECASE)
_JOINER = "\u2060"


def plain(text: object) -> str:
    """`text` (from data: file, data set and place names, titles from the URL, messages quoting
    them) for a widget that renders Markdown: the characters that make links, images, HTML,
    entities or formatting are escaped, and addresses (``http://``, ``www.``, ``a@b.de``) get an
    invisible word joiner, so a name is shown as written and never becomes a link or an image."""
    return _ADDRESS.sub(lambda m: m.group(0) + _JOINER, _MARKDOWN.sub(r"\\\1", str(text)))


def html_text(text: object) -> str:
    """`text` from data for HTML that Streamlit's Markdown passes through (``unsafe_allow_html``):
    HTML-escaped, and on one line, since a blank line would end the HTML block and let the rest
    be read as Markdown."""
    return html.escape(" ".join(str(text).split()))


def error(err: BaseException) -> None:
    """An `AtlasError`'s German message, in the page's language, as an error box (as text: it may
    quote file names and cell values)."""
    st.error(plain(_(langs.error_text(err))))
