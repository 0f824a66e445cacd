"""The ASSKomm network: participating Gemeinden and the network's figures over time.

"Allianz Sichere Sächsische Kommunen" (Landespräventionsrat Sachsen, founded
06.02.2019). The shipped list ``data/asskomm/asskomm_kommunen.csv`` is collected from
public sources and known to be incomplete (:data:`UNVOLLSTAENDIG`); the format is
documented in ``data/asskomm/FORMAT.md`` so a Kreis or the Landespräventionsrat can keep
it current, upload a newer file, or add rows in the app. Every file is validated like an
incident file: all row problems at once, each naming file, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

from geo.boundaries import load_gemeinden, merger_note
from geo.errors import InputFileError
from geo.sources import DATA_DIR
from geo.survey.table import Source, read_csv, require_columns, row_messages, text_rows

ASSKOMM_DIR = DATA_DIR / "asskomm"
MEMBERS_CSV = ASSKOMM_DIR / "asskomm_kommunen.csv"
FIGURES_CSV = ASSKOMM_DIR / "netzwerk_kennzahlen.csv"
FOUNDED = dt.date(2019, 2, 6)

#: Shown wherever the list is shown (map layer, info panel, report).
UNVOLLSTAENDIG = (
    "Die Liste der ASSKomm-Kommunen ist unvollständig: Sie ist aus öffentlichen Quellen "
    "(Medieninformationen des SMI und des Landespräventionsrats, Seiten der Kommunen, "
    "Lokalpresse) zusammengetragen und nicht die offizielle Mitgliederliste "
    "(Karte auf asskomm.sachsen.de). Bis April 2025 gab es etwa 60 "
    "Kooperationsvereinbarungen. Fehlende Kommunen können Sie ergänzen oder eine aktuellere "
    "Datei hochladen."
)
ATTRIBUTION = "ASSKomm-Kommunen: eigene Zusammenstellung aus öffentlichen Quellen, Stand November 2026"

MEMBER_COLUMNS = ("ags", "gemeinde", "kreis", "beteiligung", "kooperationsvereinbarung",
                  "praeventionsrat", "sicherheitsanalyse", "modellkommune", "quelle")
#: The three kinds of participation, strongest first (``beteiligung`` starts with one of them).
STATUS = ("Modellkommune", "Kooperationsvereinbarung", "beteiligt")
PRAEVENTIONSRAT = ("ja", "geplant", "")
SICHERHEITSANALYSE = ("durchgeführt", "geplant", "")
MODELLKOMMUNE = ("ja", "")

#: ``kennzahl`` keys of the figures file and how the app names them.
KENNZAHLEN = {
    "modellkommunen": "Modellkommunen",
    "kommunen_kontaktiert": "Kommunen kontaktiert",
    "kommunen_beraten": "Kommunen beraten",
    "kommunen_eng_zusammenarbeit": "Kommunen in enger Zusammenarbeit",
    "kommunen_im_netzwerk": "Kommunen im Netzwerk",
    "kooperationsvereinbarungen": "Kooperationsvereinbarungen",
    "coachingprozesse": "Coachingprozesse",
    "praeventionsraete": "Kommunale Präventionsräte",
    "sicherheitsanalysen": "Sicherheitsanalysen",
    "sicherheitsanalysen_im_jahr": "Sicherheitsanalysen im Jahr",
    "foerdermittel_eur": "Fördermittel (EUR)",
}

_ALIASES = {
    "ags": ("gemeindeschlüssel", "gemeindeschluessel", "amtlicher gemeindeschlüssel"),
    "gemeinde": ("name", "kommune"),
    "kreis": ("landkreis",),
    "beteiligung": ("status",),
    "kooperationsvereinbarung": ("datum", "kooperationsvereinbarung datum", "vereinbarung"),
    "praeventionsrat": ("präventionsrat", "kpr"),
    "sicherheitsanalyse": (),
    "modellkommune": (),
    "quelle": ("source", "quellen"),
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("ß", "ss")
    return re.sub(r"\s+", " ", text).strip()


def parse_date(text: str) -> str | None:
    """``YYYY-MM-DD`` or ``YYYY-MM`` (also ``TT.MM.JJJJ``/``MM.JJJJ``) → ISO text; ``None`` if invalid.

    Empty text gives ``""`` (date unknown).
    """
    text = text.strip()
    if not text:
        return ""
    for pattern, fmt, iso in ((r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d", "%Y-%m-%d"),
                              (r"\d{4}-\d{2}", "%Y-%m", "%Y-%m"),
                              (r"\d{1,2}\.\d{1,2}\.\d{4}", "%d.%m.%Y", "%Y-%m-%d"),
                              (r"\d{1,2}\.\d{4}", "%m.%Y", "%Y-%m")):
        if re.fullmatch(pattern, text):
            try:
                return dt.datetime.strptime(text, fmt).strftime(iso)
            except ValueError:
                return None
    return None


def _date_problem(iso: str, *, today: dt.date) -> str | None:
    first = dt.date.fromisoformat(iso if len(iso) == 10 else f"{iso}-01")
    last_day = first if len(iso) == 10 else (first + dt.timedelta(days=31)).replace(day=1)
    if last_day < FOUNDED.replace(day=1):
        return f"liegt vor der Gründung der Allianz ({FOUNDED:%d.%m.%Y})"
    if first > today:
        return "liegt in der Zukunft"
    return None


def status_of(beteiligung: str, modellkommune: str = "") -> str | None:
    """The map status (one of :data:`STATUS`) of a row, or ``None`` if `beteiligung` has none.

    A Modellkommune is shown as such even where its ``beteiligung`` names the agreement
    (Görlitz). Text after the status, e.g. ``(VG Olbersdorf)``, is a remark.
    """
    if modellkommune == "ja":
        return "Modellkommune"
    folded = _fold(beteiligung)
    return next((s for s in STATUS if folded.startswith(s.casefold())), None)


def validate_members(frame: pd.DataFrame, *, name: str = "Eingabe",
                     today: dt.date | None = None) -> pd.DataFrame:
    """Check and normalise member rows (from a file or typed in the app).

    Parameters
    ----------
    frame : DataFrame
        Columns as in :data:`MEMBER_COLUMNS` (aliases accepted, ``gemeinde``/``kreis``
        may be empty: they are filled from the AGS). Not modified.
    name : str
        File name (or "Ergänzte Zeilen") used in messages.
    today : date, optional
        Dates after it are errors; today by default.

    Returns
    -------
    DataFrame
        :data:`MEMBER_COLUMNS` plus ``status`` (one of :data:`STATUS`) and ``verbund``
        (the remark after the status), dates as ISO text, sorted by ``ags``.

    Raises
    ------
    InputFileError
        Listing every problem: unknown AGS, AGS not matching the name or Kreis,
        duplicate AGS, malformed date, unknown status word, missing source.
    """
    today = today or dt.date.today()
    df = text_rows(frame)
    df = require_columns(df, _ALIASES, name=name,
                         optional=("gemeinde", "kreis", "kooperationsvereinbarung", "praeventionsrat",
                                   "sicherheitsanalyse", "modellkommune"))
    gem = load_gemeinden().set_index("ags")
    problems: list[str] = []
    seen: dict[str, int] = {}
    out = []
    for row, rec in df.iterrows():
        here = f"Zeile {row}"
        rec = rec.copy()
        ags = rec["ags"]
        if ags not in gem.index:
            note = merger_note(ags)
            problems.append(f"{here}: Spalte 'ags' enthält '{ags}', das ist kein Amtlicher "
                            "Gemeindeschlüssel einer sächsischen Gemeinde (8 Ziffern, z. B. 14522180)."
                            + (f" {note}" if note else ""))
        else:
            official = gem.loc[ags]
            if rec["gemeinde"] and _fold(rec["gemeinde"]) not in {_fold(official["name"]),
                                                                  _fold(official["name_amtlich"])}:
                problems.append(f"{here}: Spalte 'gemeinde' enthält '{rec['gemeinde']}', aber AGS {ags} "
                                f"ist {official['name']}.")
            if rec["kreis"] and _fold(rec["kreis"]) != _fold(official["kreis_name"]):
                problems.append(f"{here}: Spalte 'kreis' enthält '{rec['kreis']}', aber {official['name']} "
                                f"liegt in {official['kreis_name']}.")
            rec["gemeinde"] = rec["gemeinde"] or official["name"]
            rec["kreis"] = rec["kreis"] or official["kreis_name"]
            if ags in seen:
                problems.append(f"{here}: AGS {ags} ({official['name']}) steht schon in Zeile {seen[ags]}.")
            seen.setdefault(ags, row)
        for column, allowed in (("praeventionsrat", PRAEVENTIONSRAT),
                                ("sicherheitsanalyse", SICHERHEITSANALYSE),
                                ("modellkommune", MODELLKOMMUNE)):
            value = rec[column].casefold().replace("durchgefuehrt", "durchgeführt")
            if value not in allowed:
                choices = " / ".join(a for a in allowed if a) + " oder leer"
                problems.append(f"{here}: Spalte '{column}' enthält '{rec[column]}', erlaubt: {choices}.")
            rec[column] = value
        status = status_of(rec["beteiligung"], rec["modellkommune"])
        if status is None:
            problems.append(f"{here}: Spalte 'beteiligung' enthält '{rec['beteiligung']}', erwartet "
                            f"{' / '.join(STATUS)} (danach optional eine Bemerkung in Klammern).")
        remark = re.search(r"\((.*)\)\s*$", rec["beteiligung"])
        rec["status"], rec["verbund"] = status or "", remark.group(1) if remark else ""
        iso = parse_date(rec["kooperationsvereinbarung"])
        if iso is None:
            problems.append(f"{here}: Spalte 'kooperationsvereinbarung' enthält "
                            f"'{rec['kooperationsvereinbarung']}', erwartet JJJJ-MM-TT, JJJJ-MM oder leer.")
        elif iso and (why := _date_problem(iso, today=today)):
            problems.append(f"{here}: Spalte 'kooperationsvereinbarung': {iso} {why}.")
        rec["kooperationsvereinbarung"] = iso or ""
        if not rec["quelle"]:
            problems.append(f"{here}: Spalte 'quelle' ist leer; jede Zeile braucht eine Quelle "
                            "(Medieninformation, Internetseite, Zeitungsartikel).")
        out.append(rec)
    if not out:
        msg = f"{name}: die Datei enthält keine Zeilen."
        raise InputFileError(msg)
    if problems:
        raise InputFileError(row_messages(problems, name=name))
    result = pd.DataFrame(out)[[*MEMBER_COLUMNS, "status", "verbund"]]
    return result.sort_values("ags", ignore_index=True)


def load_members(source: Source | None = None, *, name: str | None = None) -> pd.DataFrame:
    """The member file (the shipped one by default), validated; see :func:`validate_members`.

    `source` may be a path, the bytes of an upload or a binary file object; ``;`` or
    ``,`` separated, UTF-8 (with or without BOM) or Windows-1252.
    """
    frame, name = read_csv(MEMBERS_CSV if source is None else source, name=name)
    return validate_members(frame, name=name)


def merge_members(base: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """Shipped rows and uploaded/added rows together, no row lost.

    Both frames as returned by :func:`validate_members`. A Gemeinde in only one of
    them is kept as it is; a Gemeinde in both takes every non-empty field of `extra`
    (it is the newer information), keeps the other fields of `base`, and lists both
    sources. Column ``herkunft`` says ``mitgeliefert``, ``ergänzt`` or
    ``mitgeliefert, ergänzt``.
    """
    left = base.set_index("ags")
    right = extra.set_index("ags")
    rows = []
    for ags in sorted(set(left.index) | set(right.index)):
        if ags not in right.index:
            rows.append({"ags": ags, **left.loc[ags].to_dict(), "herkunft": "mitgeliefert"})
            continue
        new = right.loc[ags].to_dict()
        if ags not in left.index:
            rows.append({"ags": ags, **new, "herkunft": "ergänzt"})
            continue
        old = left.loc[ags].to_dict()
        merged = {k: (new[k] if new[k] else old[k]) for k in old}
        if new["beteiligung"]:
            merged["status"], merged["verbund"] = new["status"], new["verbund"]
        sources = [s for s in (old["quelle"], new["quelle"]) if s]
        merged["quelle"] = "; ".join(dict.fromkeys(sources))
        rows.append({"ags": ags, **merged, "herkunft": "mitgeliefert, ergänzt"})
    return pd.DataFrame(rows, columns=[*MEMBER_COLUMNS, "status", "verbund", "herkunft"])


def load_figures(source: Source | None = None, *, name: str | None = None) -> pd.DataFrame:
    """The network figures over time: ``datum`` (ISO), ``kennzahl``, ``bezeichnung``, ``wert``,
    ``bemerkung``, ``quelle``; sorted by date. Validated like the member file."""
    frame, name = read_csv(FIGURES_CSV if source is None else source, name=name)
    df = require_columns(frame, {"datum": (), "kennzahl": (), "wert": (), "bemerkung": (), "quelle": ()},
                         name=name, optional=("bemerkung",))
    problems = []
    for row, rec in df.iterrows():
        iso = parse_date(rec["datum"])
        if not iso:
            problems.append(f"Zeile {row}: Spalte 'datum' enthält '{rec['datum']}', "
                            "erwartet JJJJ-MM-TT oder JJJJ-MM.")
        if rec["kennzahl"] not in KENNZAHLEN:
            problems.append(f"Zeile {row}: Spalte 'kennzahl' enthält '{rec['kennzahl']}', erlaubt: "
                            f"{', '.join(KENNZAHLEN)}.")
        if not rec["wert"].isdigit():
            problems.append(f"Zeile {row}: Spalte 'wert' enthält '{rec['wert']}', erwartet eine ganze Zahl.")
        if not rec["quelle"]:
            problems.append(f"Zeile {row}: Spalte 'quelle' ist leer; jede Kennzahl braucht eine Quelle.")
    if problems:
        raise InputFileError(row_messages(problems, name=name))
    out = df.assign(datum=df["datum"].map(parse_date), wert=df["wert"].astype(int),
                    bezeichnung=df["kennzahl"].map(KENNZAHLEN))
    out = out[["datum", "kennzahl", "bezeichnung", "wert", "bemerkung", "quelle"]]
    return out.sort_values(["datum", "kennzahl"], kind="stable", ignore_index=True)


def latest_figures(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each figure its most recent value, with date and source (for the info panel).

    Returns the columns of :func:`load_figures` plus ``datum_text`` (``28.11.2022`` or
    ``11/2021``), in the order of :data:`KENNZAHLEN`.
    """
    figures = load_figures() if figures is None else figures
    last = figures.sort_values("datum", kind="stable").groupby("kennzahl", sort=False).tail(1)
    order = {k: i for i, k in enumerate(KENNZAHLEN)}
    last = last.sort_values("kennzahl", key=lambda s: s.map(order), ignore_index=True)
    return last.assign(datum_text=last["datum"].map(date_text))


def figures_on(date: str, figures: pd.DataFrame | None = None) -> dict[str, int]:
    """``kennzahl`` → value of all figures stated on `date` (ISO text)."""
    figures = load_figures() if figures is None else figures
    hit = figures[figures["datum"] == date]
    return dict(zip(hit["kennzahl"], hit["wert"].astype(int), strict=True))


def date_text(iso: str) -> str:
    """``2022-11-28`` → ``28.11.2022``; ``2021-11`` → ``11/2021``; ``""`` → ``"Datum unbekannt"``."""
    if not iso:
        return "Datum unbekannt"
    if len(iso) == 7:
        return f"{iso[5:7]}/{iso[:4]}"
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}"


def member_summary(members: pd.DataFrame) -> dict[str, int]:
    """Counts of the list: ``gesamt``, per status, ``praeventionsrat_ja``,
    ``sicherheitsanalyse_durchgefuehrt``."""
    counts = {"gesamt": len(members)}
    counts.update({s: int((members["status"] == s).sum()) for s in STATUS})
    counts["praeventionsrat_ja"] = int((members["praeventionsrat"] == "ja").sum())
    counts["sicherheitsanalyse_durchgefuehrt"] = int((members["sicherheitsanalyse"] == "durchgeführt").sum())
    return counts
