"""The chart of a measure's evaluation: incidents per month in T, D and C, the start marked.

Drawn offline with matplotlib (Agg) as PNG bytes, like the report's charts
(:mod:`geo.report.charts`), so the app and the Sicherheitsanalyse show the same picture. The
three areas differ in size by orders of magnitude, so each gets its own panel (and axis)
above a shared month axis: a line per area, the before and after periods shaded, the start of
the measure as a vertical line, months the data do not fully cover drawn as hollow points.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from geo.lang import phrase, translate
from geo.measures.effect import Effect
from geo.report.charts import figure_png

#: Line colour per area (ColorBrewer Dark2: T orange, D purple, C green).
AREA_COLOURS = {"t": "#d95f02", "d": "#7570b3", "c": "#1b9e77"}
PERIOD_SHADES = {"vorher": "#eeeeee", "nachher": "#e5f3ee"}
START_COLOUR = "#222222"


def area_names(effect: Effect) -> dict[str, str]:
    """German names of the three panels (T, D with its width, C)."""
    return {"t": phrase("Zielgebiet (T)"),
            "d": phrase("Umgebung (D, Ring von {m:.0f} m)", m=effect.areas.buffer_m),
            "c": phrase("Vergleichsgebiet (C)")}


def monthly_figure(effect: Effect, *, lang: str = "de") -> Figure:
    """The figure behind :func:`monthly_chart` (three axes: T, D, C, top to bottom)."""
    months = effect.monate
    x = months["monat"].to_numpy()
    fig = Figure(figsize=(6.7, 4.8))
    axes = fig.subplots(3, 1, sharex=True)
    names = area_names(effect)
    complete = months["vollstaendig"].to_numpy(bool)
    for ax, letter in zip(axes, ("t", "d", "c"), strict=True):
        y = months[letter].to_numpy()
        colour = AREA_COLOURS[letter]
        for phase, shade in PERIOD_SHADES.items():
            inside = x[months["phase"].to_numpy() == phase]
            if len(inside):
                ax.axvspan(inside.min() - 0.5, inside.max() + 0.5, color=shade, zorder=0, linewidth=0)
        ax.plot(x, y, color=colour, linewidth=1.5, zorder=2, label=translate(names[letter], lang))
        ax.scatter(x[complete], y[complete], color=colour, s=12, zorder=3)
        ax.scatter(x[~complete], y[~complete], facecolors="white", edgecolors=colour, s=14, zorder=3)
        ax.axvline(-0.5, color=START_COLOUR, linewidth=1.2, zorder=4)
        ax.set_ylim(bottom=0, top=max(1, int(y.max()) if len(y) else 1) * 1.15)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        ax.set_title(translate(names[letter], lang), fontsize=8, loc="left", pad=2)
        ax.tick_params(labelsize=7)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    start = translate(phrase("Beginn {day:%d.%m.%Y}", day=effect.periods.start), lang)
    axes[0].annotate(start, xy=(-0.5, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -2),
                     textcoords="offset points", fontsize=7, va="top", color=START_COLOUR)
    step = max(1, len(x) // 8)
    ticks = x[::step]
    labels = [f"{day:%m.%Y}" for day in months["von"].to_numpy()[::step]]
    axes[-1].set_xticks(ticks, labels)
    axes[1].set_ylabel(translate("Vorfälle je Monat", lang), fontsize=8)
    note = translate(phrase("grau: vorher, grün: nachher; offene Punkte: Monat noch nicht vollständig in den "
                            "Daten"), lang)
    fig.text(0.01, 0.005, note, fontsize=6.5, color="#555555")
    fig.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.1, hspace=0.45)
    return fig


def monthly_chart(effect: Effect, *, lang: str = "de") -> bytes:
    """PNG of the incidents per month in T, D and C around the measure's start (see module doc).

    Parameters
    ----------
    effect : Effect
        A result of :func:`geo.measures.evaluate` (its ``monate`` table).
    lang : {"de", "en"}
        Language of titles and notes (the Sicherheitsanalyse stays German: the default).
    """
    return figure_png(monthly_figure(effect, lang=lang))
