"""The figures of an effect evaluation: WDQ, WDD and the difference-in-differences rate ratio.

All three take incident counts before (0) and after (1) in the target area T, the
displacement ring D and the control area C.

**Weighted Displacement Quotient** (Bowers & Johnson 2003, J. Quant. Criminol. 19(3):275–301;
formulas as in Guerette 2009, POP Center Tool Guide No. 10, Appendix B):

* success measure ``T1/C1 − T0/C0`` (below 0: T improved relative to C),
* buffer displacement measure ``D1/C1 − D0/C0`` (above 0: possible displacement, below 0:
  possible diffusion of benefits),
* ``WDQ = buffer measure / success measure``, read only when the success measure is below 0:
  above 0 diffusion, above 1 diffusion larger than the direct effect, between 0 and −1 some
  displacement but a net gain, below −1 displacement larger than the direct effect,
* total net effect ``[T0·C1/C0 − T1] + [D0·C1/C0 − D1]`` (Guerette 2009).

**Weighted Displacement Difference** (Wheeler & Ratcliffe 2018, Crime Science 7:11):
``WDD = ΔT − ΔC_T + ΔD − ΔC_D`` with ``Δ = after − before``; each count is taken as Poisson, so
the variance is the sum of the counts, each times its weight squared; z = WDD / SE, two-sided
p from the normal distribution. The paper prescribes two controls, ``C_T`` matched to T and
``C_D`` matched to D, each with similar counts. :func:`wdd` takes them separately, with
per-series weights as in Wheeler's extensions (different period lengths or area sizes; R
package ptools, ``wdd``), or one control for both (``shared_control``): then its counts enter
the estimate twice and its variance with the *sum* of the two weights squared, the covariance
the paper's independence assumption would drop. How the atlas weighs its one control area
C against T and D is explained in :mod:`geo.measures.effect`.

**Rate ratio** (difference in differences on the log scale): ``RR = (T1/T0) / (C1/C0)``, the
change in T relative to the change in C; below 1 T developed better than C. Its 95 % interval
is log-normal with the Poisson standard error ``sqrt(1/T0 + 1/T1 + 1/C0 + 1/C1)`` (Woolf's
interval for the 2×2 table of counts). A zero count would make the ratio 0 or infinite: then
0.5 is added to all four counts (Haldane–Anscombe correction) and ``corrected`` is True. With
no incident in T in both periods, or none in C, there is nothing to compare: None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

from geo.lang import Text, phrase

Pair = tuple[float, float]
SERIES = ("t", "ct", "d", "cd")
CONTINUITY = 0.5


def _num(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


@dataclass(frozen=True)
class WDQ:
    """Weighted Displacement Quotient and its parts; None where a division by zero forbids it."""

    success: float | None
    buffer: float | None
    value: float | None
    total_net_effect: float | None
    reason: Text | None = None


def wdq(t_before: float, t_after: float, d_before: float, d_after: float, c_before: float,
        c_after: float) -> WDQ:
    """Weighted Displacement Quotient of Bowers & Johnson (2003), see module doc."""
    if c_before <= 0 or c_after <= 0:
        reason = phrase("Kein WDQ: im Vergleichsgebiet gab es im Vorher- oder Nachher-Zeitraum keine "
                        "Vorfälle.")
        return WDQ(None, None, None, None, reason)
    success = t_after / c_after - t_before / c_before
    buffer = d_after / c_after - d_before / c_before
    trend = c_after / c_before
    tne = (t_before * trend - t_after) + (d_before * trend - d_after)
    if success == 0:
        reason = phrase("Kein WDQ: das Zielgebiet hat sich genau wie das Vergleichsgebiet entwickelt "
                        "(Erfolgsmaß 0).")
        return WDQ(success, buffer, None, tne, reason)
    return WDQ(success, buffer, buffer / success, tne)


@dataclass(frozen=True)
class WDD:
    """Weighted Displacement Difference: local part (T vs its control), displacement part (D vs
    its control), their sum ``total`` with standard error ``se``, z and two-sided p."""

    local: float
    local_se: float
    displacement: float
    displacement_se: float
    total: float
    se: float
    z: float
    p: float

    @property
    def displacement_z(self) -> float:
        return self.displacement / self.displacement_se if self.displacement_se > 0 else math.nan


def wdd(t: Pair, ct: Pair, d: Pair = (0, 0), cd: Pair | None = None, *,
        scale: Mapping[str, Pair] | None = None, shared_control: bool = False) -> WDD:
    """Weighted Displacement Difference of Wheeler & Ratcliffe (2018), see module doc.

    Parameters
    ----------
    t, ct, d, cd : (before, after)
        Counts in the treated area, its control, the displacement area and its control
        (``cd`` must be left out with `shared_control`; without displacement area, zeros).
    scale : mapping, optional
        Series name (``"t"``, ``"ct"``, ``"d"``, ``"cd"``) → (before, after) factors the counts
        are multiplied with; 1 by default. ptools' ``time_weights``/``area_weights`` w are
        factors 1/w.
    shared_control : bool
        ``ct`` is the control of both T and D (scaled by ``scale["ct"]`` and ``scale["cd"]``).
    """
    if shared_control and cd is not None:
        raise ValueError("with shared_control the control of D is ct; leave cd out")
    counts = {"t": t, "ct": ct, "d": d, "cd": ct if shared_control else (cd if cd is not None else (0, 0))}
    factors = {name: tuple((scale or {}).get(name, (1.0, 1.0))) for name in SERIES}
    source = {"t": "t", "ct": "ct", "d": "d", "cd": "ct" if shared_control else "cd"}
    sign = {"t": 1.0, "ct": -1.0, "d": 1.0, "cd": -1.0}

    def part(names: tuple[str, ...]) -> tuple[float, float]:
        estimate, coefficient = 0.0, {}
        for name in names:
            (x0, x1), (s0, s1) = counts[name], factors[name]
            estimate += sign[name] * (s1 * x1 - s0 * x0)
            coefficient[(source[name], 1)] = coefficient.get((source[name], 1), 0.0) + sign[name] * s1
            coefficient[(source[name], 0)] = coefficient.get((source[name], 0), 0.0) - sign[name] * s0
        variance = sum(c * c * counts[src][period] for (src, period), c in coefficient.items())
        return estimate, math.sqrt(variance)

    local, local_se = part(("t", "ct"))
    displacement, displacement_se = part(("d", "cd"))
    total, se = part(SERIES)
    z = total / se if se > 0 else math.nan
    p = math.erfc(abs(z) / math.sqrt(2)) if math.isfinite(z) else math.nan
    return WDD(local, local_se, displacement, displacement_se, total, se, z, p)


@dataclass(frozen=True)
class RateRatio:
    """Difference-in-differences rate ratio T vs C with its interval (see module doc)."""

    value: float
    lower: float
    upper: float
    level: float
    corrected: bool


def rate_ratio(t_before: float, t_after: float, c_before: float, c_after: float, *,
               level: float = 0.95) -> RateRatio | None:
    """``(T1/T0) / (C1/C0)`` with its log-normal Poisson interval at `level` (see module doc)."""
    if t_before + t_after <= 0 or c_before + c_after <= 0:
        return None
    cells = (t_before, t_after, c_before, c_after)
    corrected = min(cells) <= 0
    if corrected:
        cells = tuple(c + CONTINUITY for c in cells)
    t0, t1, c0, c1 = cells
    log_rr = math.log(t1 / t0) - math.log(c1 / c0)
    se = math.sqrt(1 / t0 + 1 / t1 + 1 / c0 + 1 / c1)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return RateRatio(math.exp(log_rr), math.exp(log_rr - z * se), math.exp(log_rr + z * se), level, corrected)


def figures(wdq_result: WDQ, wdd_result: WDD | None, rr: RateRatio | None) -> dict[str, float | bool | None]:
    """The figures as JSON values (``as_dict`` of an evaluation)."""
    return {
        "wdq": _num(wdq_result.value),
        "wdd": _num(wdd_result.total) if wdd_result else None,
        "wdd_se": _num(wdd_result.se) if wdd_result else None,
        "wdd_z": _num(wdd_result.z) if wdd_result else None,
        "rr": _num(rr.value) if rr else None,
        "rr_unten": _num(rr.lower) if rr else None,
        "rr_oben": _num(rr.upper) if rr else None,
        "wdq_erfolgsmass": _num(wdq_result.success),
        "wdq_puffermass": _num(wdq_result.buffer),
        "netto_effekt": _num(wdq_result.total_net_effect),
        "wdd_p": _num(wdd_result.p) if wdd_result else None,
        "wdd_ziel": _num(wdd_result.local) if wdd_result else None,
        "wdd_umgebung": _num(wdd_result.displacement) if wdd_result else None,
        "wdd_umgebung_se": _num(wdd_result.displacement_se) if wdd_result else None,
        "rr_korrigiert": rr.corrected if rr else None,
    }
