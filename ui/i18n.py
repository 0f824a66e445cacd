"""The page's language: German first, English with ``?sprache=en`` (:mod:`geo.lang`).

``_("Zeitraum")`` is the German text (the catalogue key) in this run's language and
``_n(1234.5, 1)`` a number as its readers write it. Both read the language of the session
when called. A widget's ``format_func`` is a lookup in labels translated during the run
(``{m: _(label) ...}.__getitem__``), never a lambda around ``_``: it is also called outside
a run (Streamlit's test harness), where no session says the language.
"""

from __future__ import annotations

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


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#~|$])")


def plain(text: object) -> str:
    """`text` (from data: file, data set and place names, titles from the URL) for a widget that
    renders Markdown: the characters that make links, images, HTML or formatting are escaped,
    and so are addresses (``http://``, ``www.``), so a name is shown as written and never
    becomes a link."""
    text = _MARKDOWN.sub(r"\\\1", str(text))
    return text.replace("://", ":\\/\\/").replace("www.", "www\\.")


def error(err: BaseException) -> None:
    """An `AtlasError`'s German message, in the page's language, as an error box."""
    st.error(_(langs.error_text(err)))
