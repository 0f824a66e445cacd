"""The BKA's PKS 2020 Kreis table: the app's real statewide layer at Kreis level.

``data/pks/KR-F-01-T01-Kreise-Faelle-HZ_2020.csv`` is read through the same path as
every other aggregated table (:func:`geo.incidents.read_incidents`), so its quirks
are handled once: ISO-8859-1, a column-number row above the header, ``,`` as
thousands separator, Kreis keys without their leading zero, all of Germany in one
file. Only the 13 Saxon Kreise are kept; rows are mapped by PKS Schlüsselzahl with
the shipped mapping (``data/kategorien.csv``):

* ``899500`` Sachbeschädigung durch Graffiti insgesamt → ``graffiti``;
* ``892000`` Gewaltkriminalität → ``violence``. This is the PKS's own violence
  aggregate (murder, manslaughter, rape, all robbery incl. 217000 street robbery,
  gefährliche/schwere Körperverletzung 222000). It is *not* limited to public space
  and leaves out simple assault (224000); the PKS has no public-space violence key,
  and 892000 is the nationally comparable figure, so the atlas uses it as the proxy
  and labels it that way. ``899000`` Straßenkriminalität is mostly theft and itself
  contains graffiti and street robbery, so it is not used; neither are the parts of
  892000 (210000–219000, 222000, 892500, 111000). No key is ever counted together
  with a key that contains it (:func:`geo.incidents.categories.pks_overlap`).
* ``730000`` Rauschgiftdelikte → ``drugs``.

Saxony 2020 from the shipped table: graffiti 9,712, violence 7,566, drugs 13,836 cases
(the first two as in ``data/pks/PROVENANCE.md``).

Littering is an Ordnungswidrigkeit and not in the PKS.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.errors import InputFileError
from geo.incidents import read_incidents
from geo.sources import PKS_KREISE_2020


def read_pks_kreise(path: str | Path = PKS_KREISE_2020, *, period: str | None = None) -> pd.DataFrame:
    """Saxon Kreis counts from a BKA PKS Kreis table (see module doc).

    Parameters
    ----------
    path : path
        The table as the BKA publishes it; default the shipped 2020 table.
    period : str, optional
        Reporting period; default the year in the file name (2020 for the shipped file).

    Returns
    -------
    DataFrame
        Aggregates (``area_key`` 5-digit Kreis key, ``level`` "kreis", ``category``,
        ``period_start``, ``period_end``, ``count``): for the shipped file 13 Kreise ×
        {graffiti, violence, drugs (730000 Rauschgiftdelikte)}.

    Raises
    ------
    InputFileError
        If the table cannot be read or a Saxon row is rejected (a damaged table).
    """
    result = read_incidents(path, period=period)
    if result.report.rejected:
        reasons = "; ".join(result.report.rejected_rows["grund"].head(5))
        msg = f"{Path(path).name}: PKS-Tabelle mit {result.report.rejected} fehlerhaften Zeilen: {reasons}"
        raise InputFileError(msg)
    aggregates = result.aggregates
    return aggregates[aggregates["level"] == "kreis"].reset_index(drop=True)
