"""Many people on one app at once: 20 browser sessions with different views (issue 15).

Target: 20 concurrent sessions (planners and council screens) each see their own view, with no
error, and their redraws are timed; p50 and p95 redraw, first render and the server's peak
memory, against a single-session reference in the same run.

What it does: imports ``--n`` demo incidents (``geo.incidents.demo.demo_csv``, seed 1) into a
temporary store, starts ``streamlit run app.py`` headless on a free loopback port
(``tests.browser.harness.running_app``, no background tiles) and opens ``--sessions`` browser
contexts in ONE Debian chromium (asyncio Playwright; every request not going to 127.0.0.1 is
aborted and counted). Each session follows its own plan (:func:`plans`): it opens its view's
address (a Gemeinde, a Kreis or all of Saxony; graffiti, littering, violence, drugs or two
categories; rates, KDE, Gi*, LISA or emerging hot spots; planner or ``modus=sitzung``), then
changes the view ``--changes`` times: a planner clicks another method in the sidebar, opens
another town's address and clicks another method there; a council screen opens another address,
leaves the council mode with its button and opens a third address. All sessions start together;
a bounded loop, no session waits for another.

A redraw is timed from the click (or the address) until the session's one map iframe shows the
new view: its Leaflet map has drawn a result it had not drawn before (``map.atlasDraws``,
raised by ``layers.maps.FitView``), has its 418 Gemeinde paths and the method's legend
(the check of ``benchmarks/redraw.py``). After each redraw and once the rerun is over, the
session checks that it sees its own state (:func:`check`): the address carries exactly its
view's parameters (``geo.view.to_query``), the title line names its place, categories and
method, the map is fitted to its area and shows one legend, the method's, a Gemeinde's planner
view shows that Gemeinde's detail heading; and that there is no Streamlit exception, error or
warning box, no browser console error or page error and no traceback in the server log.

A thread samples the server process tree's resident memory (psutil, every 100 ms). The single-
session reference runs the same plans one after the other (``concurrency 1``) on a fresh
server, so both start with cold caches; ratios are concurrent / single.

History (2 cores shared with other work, load average 7–9 besides this run): before this
benchmark, 10 concurrent sessions took 86 s to render, with a server peak of 1.1 GB. Now, 100,000
incidents, 20 sessions × 4 views (2026-12-02):

==============================  ==================  ==================  =====================
figure                          20 at once          one at a time       concurrent / single
==============================  ==================  ==================  =====================
first render p50 / p95          328 / 374 s         6.1 / 12.4 s        ×54 / ×30
redraw p50 / p95 (60 changes)   64 / 211 s          2.5 / 7.0 s         ×25 / ×30
… method clicked / address      20 / 175 s          1.3 / 4.5 s
server peak memory (idle 54)    1,536 MB            1,416 MB            ×1.08
CPU server / chromium           110 / 541 s         97 / 343 s          ×1.13 / ×1.58
==============================  ==================  ==================  =====================

Every session saw its own state at each of its 4 views, no error; 12 sessions logged Streamlit's
"component timeout" (the map frame was not ready within 60 s, then drew). Where the time goes:
the CPU. One planner page costs chromium 6–7 s of CPU (about 500 Streamlit elements: sidebar,
detail panel, tables, chart), a council page 2.6 s; the server needs 0.7 s per warm page and
about 1.4 s per view on average with the analyses. 20 sessions in one chromium on the server's
two cores spend 83 % of the CPU in the browser; the server's own work grows by 13 % only, and
its memory is the caches (the same peak one session at a time), not the sessions.

Run: ``.venv/bin/python benchmarks/sessions.py [--sessions 20] [--n 100000]``. Last line: one
JSON object. Exit 1 when a session saw a wrong state or an error.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.redraw import _IDLE_JS, _MAP_JS, _MARK_JS, LEGENDS, prepare_store  # noqa: E402
from geo import view as views  # noqa: E402
from geo.analysis import METHOD_LABELS  # noqa: E402
from geo.boundaries import area as area_of  # noqa: E402
from geo.display import area_display  # noqa: E402
from geo.incidents import CATEGORY_LABELS  # noqa: E402
from layers.maps import SACHSEN_BOUNDS  # noqa: E402
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, LOCAL_PREFIXES, MAP_IFRAME, running_app  # noqa: E402

MAP_LEGENDS = {**LEGENDS, "emerging": "Hotspot-Muster über die Zeit"}
#: Gemeinden of the plans: towns of every Kreis, from Leipzig (600,000) to Döbeln (24,000).
TOWNS = ("14522180", "14612000", "14713000", "14511000", "14524330", "14626110", "14625020", "14523320",
         "14628270", "14627140", "14627230", "14625240", "14627210", "14522080", "14730310", "14729160")
KREISE = {6: "14522", 13: "14625"}  # plan number → Kreis instead of a town
SAXONY = (9, 18)  # plans that show all of Saxony
CATEGORY_SETS = (("graffiti",), ("littering",), ("violence",), ("graffiti", "littering"), ("drugs",))
#: Streamlit's console error for a component whose frame did not report "ready" in time (60 s):
#: the browser was overloaded; the map comes later (the redraw times say how late).
COMPONENT_LATE = r"Client Error: Custom Component [\w.]+ timeout error"
COUNCIL_EVERY = 4  # every fourth session is a council screen (``modus=sitzung``)
LOGS = ROOT / "artifacts" / "sessions"  # the servers' output: concurrent.log, single.log

#: The wait of a redraw: the map of the view (``_MAP_JS``: drawn anew, with its legend); or stop
#: at an exception box, or when the rerun is over and the map was drawn anew with another legend
#: (a wrong view: :func:`check` says what is wrong, no need to wait for the timeout).
_DRAWN_JS = f"""(args) => ({_MAP_JS})(args)
    || !!document.querySelector('[data-testid="stException"]')
    || (({_MAP_JS})([args[0], args[1], '']) && ({_IDLE_JS})())"""
#: What a page shows of its view (:func:`check`): title line, message boxes, detail headings, map.
_STATE_JS = """([sel]) => {
  const titles = [...document.querySelectorAll('h1.atlas-title, [data-testid="stCaptionContainer"]')]
      .map(e => e.innerText).filter(t => t.includes(' · Quelle: '));
  const boxes = [...document.querySelectorAll('[data-testid="stException"], [role="alert"]')]
      .map(e => e.innerText.slice(0, 300));
  const headings = [...document.querySelectorAll('h3')].map(e => e.innerText)
      .filter(t => / · [\\d.,]+ Einwohner$/.test(t));
  const f = document.querySelectorAll(sel);
  const w = f.length === 1 ? f[0].contentWindow : null, d = w && f[0].contentDocument;
  const b = w && w.map && w.map.__atlasBounds;
  return {titles, boxes, headings, iframes: f.length,
          legends: d ? [...d.querySelectorAll('.atlas-legend')].map(e => e.innerText) : [],
          bounds: b ? [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]] : null};
}"""
#: What a page shows when its map does not come: script running, title, map iframes, their maps.
_SEEN_JS = """([sel]) => {
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  const title = [...document.querySelectorAll('h1.atlas-title, [data-testid="stCaptionContainer"]')]
      .map(e => e.innerText).find(t => t.includes(' · Quelle: '));
  const maps = [...document.querySelectorAll(sel)].map(f => {
    const w = f.contentWindow, d = f.contentDocument;
    if (!w || !d || !w.map) return 'no map';
    return `draws ${w.map.atlasDraws || 0}, ${d.querySelectorAll('path.leaflet-interactive').length} paths, `
      + `legend ${[...d.querySelectorAll('.atlas-legend')].map(e => e.innerText.split('\\n')[0])}`;
  });
  const boxes = [...document.querySelectorAll('[data-testid="stException"], [role="alert"]')]
      .map(e => e.innerText.slice(0, 200));
  return `status '${status ? status.innerText.replace(/\\s+/g, ' ') : ''}', title '${title || ''}', `
    + `maps [${maps.join('; ')}], boxes ${JSON.stringify(boxes)}`;
}"""


@dataclass(frozen=True)
class Step:
    """One redraw of a session: ``url`` opens the view's address, ``methode`` clicks the view's
    method in the sidebar, ``beenden`` leaves the council mode with its button."""

    how: str
    view: views.View


@dataclass
class Plan:
    name: str
    steps: list[Step]


def plans(count: int, *, changes: int = 3) -> list[Plan]:
    """`count` sessions, each with its own first view and `changes` changes (at most 3)."""
    methods = views.METHODS
    out = []
    for i in range(count):
        council = i % COUNCIL_EVERY == COUNCIL_EVERY - 1
        area = None if i in SAXONY else KREISE.get(i, TOWNS[i % len(TOWNS)])
        mode = "sitzung" if council else "planung"
        first = views.View(area=area, categories=CATEGORY_SETS[i % len(CATEGORY_SETS)],
                           method=methods[i % len(methods)], mode=mode)
        # Another town, category and method for the address changes.
        other = [views.View(area=TOWNS[(i + 5 + k) % len(TOWNS)], categories=CATEGORY_SETS[(i + 2 + k) % 5],
                            method=methods[(i + 3 + k) % len(methods)], mode=mode) for k in range(2)]
        if council:
            steps = [Step("url", other[0]), Step("beenden", dataclasses.replace(other[0], mode="planung")),
                     Step("url", other[1])]
        else:
            steps = [Step("methode", dataclasses.replace(first, method=methods[(i + 1) % len(methods)])),
                     Step("url", other[0]),
                     Step("methode", dataclasses.replace(other[0], method=methods[(i + 4) % len(methods)]))]
        out.append(Plan(f"s{i + 1:02d}", [Step("url", first), *steps[:changes]]))
    return out


def place_name(view: views.View) -> str:
    return area_of(view.area).name if view.area else "Sachsen"


def expected_bounds(view: views.View) -> tuple[tuple[float, float], tuple[float, float]]:
    """The bounds the view's map is fitted to (as ``layers.compose.view_groups`` gives them)."""
    if view.area is None:
        return SACHSEN_BOUNDS
    west, south, east, north = area_display(view.area).total_bounds
    return (south, west), (north, east)


def check(state: dict, url: str, view: views.View) -> list[str]:
    """What a session's page (`state` from ``_STATE_JS``, address `url`) shows that is not `view`."""
    wrong = []
    query = dict(parse_qsl(urlsplit(url).query))
    if query != views.to_query(view):
        wrong.append(f"address {query} instead of {views.to_query(view)}")
    cats = ", ".join(CATEGORY_LABELS[c] for c in view.categories)
    head, method = f"{place_name(view)} · {cats} · ", f" · {METHOD_LABELS[view.method]} · Quelle: "
    titles = state["titles"]
    if len(titles) != 1 or not (titles[0].startswith(head) and method in titles[0]):
        wrong.append(f"title {state['titles']} instead of '{head}…{method}…'")
    legends = state["legends"]
    if state["iframes"] != 1 or len(legends) != 1 or MAP_LEGENDS[view.method] not in legends[0]:
        wrong.append(f"{state['iframes']} map(s) with legends {state['legends']} instead of one with "
                     f"'{MAP_LEGENDS[view.method]}'")
    bounds = expected_bounds(view)
    if state["bounds"] is None or max(abs(a - b) for got, want in zip(state["bounds"], bounds, strict=True)
                                      for a, b in zip(got, want, strict=True)) > 1e-3:
        wrong.append(f"map fitted to {state['bounds']} instead of {place_name(view)} {bounds}")
    gemeinde_detail = view.mode == "planung" and view.area is not None and len(view.area) == 8
    if gemeinde_detail != bool(state["headings"]) or (
            gemeinde_detail and not (len(state["headings"]) == 1
                                     and state["headings"][0].startswith(f"{place_name(view)} ("))):
        wrong.append(f"detail headings {state['headings']} for {place_name(view)} ({view.mode})")
    if state["boxes"]:
        wrong.append(f"message boxes {state['boxes']}")
    return wrong


@dataclass
class Session:
    """One browser context on the app following one plan; every redraw timed and checked."""

    plan: Plan
    base_url: str
    timeout_s: float
    rows: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)  # overload symptoms: a component that loaded late
    console: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    async def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL_PREFIXES):
            await route.continue_()
        else:
            self.external.append(route.request.url)
            await route.abort()

    async def run(self, browser, verbose: bool = True) -> None:
        council = self.plan.steps[0].view.mode == "sitzung"
        size = {"width": 1920, "height": 1080} if council else {"width": 1600, "height": 1000}
        context = await browser.new_context(viewport=size)
        try:
            await context.route("**/*", self._route)
            page = await context.new_page()
            page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: self.console.append(f"page error: {e.stack or e}"))
            for nr, step in enumerate(self.plan.steps):
                try:
                    await self._redraw(page, nr, step)
                except Exception as err:  # a timeout: report it and what the page showed; the others go on
                    try:
                        seen = await asyncio.wait_for(page.evaluate(_SEEN_JS, [MAP_IFRAME]), 60)
                    except Exception as why:
                        seen = f"not readable ({type(why).__name__})"
                    self.problems.append(f"{self.plan.name} step {nr} ({step.how}): {type(err).__name__}: "
                                         f"{str(err).splitlines()[0]} at {page.url}; page: {seen}")
                    break
                state = await page.evaluate(_STATE_JS, [MAP_IFRAME])
                self.problems += [f"{self.plan.name} step {nr} ({step.how}): {w}"
                                  for w in check(state, page.url, step.view)]
                if verbose:
                    row = self.rows[-1]
                    print(f"  {self.plan.name} {row['kind']:<6} {step.how:<8} {row['redraw_s']:6.2f} s  "
                          f"{place_name(step.view)} · {step.view.method} · {step.view.mode}", flush=True)
            for text in self.console:
                late = re.fullmatch(COMPONENT_LATE, text) is not None
                (self.slow if late else self.problems).append(f"{self.plan.name}: console error {text[:300]}")
        finally:
            await context.close()

    async def _redraw(self, page, nr: int, step: Step) -> None:
        timeout = self.timeout_s * 1000
        token = f"{self.plan.name}-{nr}"
        legend = MAP_LEGENDS[step.view.method]
        if step.how == "url":
            token = "-"  # a new page: any drawn map is the new view's
            t0 = time.perf_counter()
            await page.goto(f"{self.base_url}/?{urlencode(views.to_query(step.view))}", wait_until="commit",
                            timeout=timeout)
        else:
            await page.evaluate(_MARK_JS, [MAP_IFRAME, token])
            if step.how == "methode":
                sidebar = page.locator('[data-testid="stSidebar"]')
                target = sidebar.get_by_text(METHOD_LABELS[step.view.method], exact=True)
            else:
                target = page.get_by_role("button", name="Sitzungsmodus beenden")
            t0 = time.perf_counter()
            await target.click(timeout=timeout)
        await page.wait_for_function(_DRAWN_JS, arg=[MAP_IFRAME, token, legend], timeout=timeout,
                                     polling=50)
        t_map = time.perf_counter()
        # The rerun is over (as Planner.idle in benchmarks/redraw.py): the next step starts a fresh one.
        for pause in (300, 0):
            await page.wait_for_function(_IDLE_JS, timeout=timeout, polling=50)
            await page.wait_for_timeout(pause)
        self.rows.append({"session": self.plan.name, "step": nr, "how": step.how,
                          "kind": "first" if nr == 0 else "redraw", "redraw_s": t_map - t0})


@dataclass
class Run:
    """What :func:`drive` gives back: the timed redraws, the problems found (wrong state, errors,
    timeouts), the overload symptoms (``slow``), the number of requests that left 127.0.0.1
    (aborted) and the CPU seconds chromium (and Playwright's driver) used."""

    rows: list[dict]
    problems: list[str]
    slow: list[str]
    external: int
    browser_cpu_s: float


def cpu_seconds(procs: Sequence[psutil.Process]) -> float:
    """CPU seconds (user + system) of `procs`, with their children that have ended."""
    total = 0.0
    for p in procs:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _browser_processes(server_pid: int | None) -> list[psutil.Process]:
    """This process's descendants except the app server's tree: Playwright's driver and chromium."""
    mine = psutil.Process().children(recursive=True)
    server = set()
    if server_pid is not None:
        root = psutil.Process(server_pid)
        server = {root.pid, *(p.pid for p in root.children(recursive=True))}
    return [p for p in mine if p.pid not in server]


async def drive(base_url: str, plan_list: Sequence[Plan], *, concurrency: int, timeout_s: float,
                verbose: bool = True, server_pid: int | None = None) -> Run:
    """Run the plans in ONE chromium, at most `concurrency` sessions at a time."""
    from playwright.async_api import async_playwright

    sessions = [Session(plan, base_url, timeout_s) for plan in plan_list]
    gate = asyncio.Semaphore(concurrency)

    async def one(session: Session) -> None:
        async with gate:
            await session.run(browser, verbose)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            await asyncio.gather(*(one(s) for s in sessions))
        finally:
            browser_cpu = cpu_seconds(_browser_processes(server_pid))
            await browser.close()
    return Run([row for s in sessions for row in s.rows], [p for s in sessions for p in s.problems],
               [p for s in sessions for p in s.slow], sum(len(s.external) for s in sessions), browser_cpu)


def run_sessions(base_url: str, plan_list: Sequence[Plan], *, concurrency: int, timeout_s: float,
                 verbose: bool = True, server_pid: int | None = None) -> Run:
    """:func:`drive` from synchronous code, in a thread of its own: that also works beside a
    running sync Playwright (the browser tests' fixture), whose event loop owns this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        work = drive(base_url, plan_list, concurrency=concurrency, timeout_s=timeout_s, verbose=verbose,
                     server_pid=server_pid)
        return pool.submit(asyncio.run, work).result()


def server_problems(text: str) -> list[str]:
    """Tracebacks and errors in the server's output `text`."""
    return [f"server log: {line.strip()[:300]}" for line in text.splitlines()
            if "Traceback" in line or "Error" in line.split(":")[0]]


class MemorySampler(threading.Thread):
    """Resident memory of a process and its children, every `every_s` seconds; ``peak_mb``."""

    def __init__(self, pid: int, every_s: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.proc, self.every_s = psutil.Process(pid), every_s
        self.peak_mb = self.last_mb = 0.0
        self._done = threading.Event()

    def rss_mb(self) -> float:
        total = 0
        try:
            for p in [self.proc, *self.proc.children(recursive=True)]:
                total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
        return total / 2**20

    def run(self) -> None:
        while not self._done.is_set():
            self.last_mb = self.rss_mb()
            self.peak_mb = max(self.peak_mb, self.last_mb)
            self._done.wait(self.every_s)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak_mb


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0–100), linear between ranks (numpy's default)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def measure(store: Path, log: Path, plan_list: Sequence[Plan], *, concurrency: int, timeout_s: float,
            verbose: bool = True) -> dict:
    """One fresh server, the plans at `concurrency`; figures and problems."""
    with running_app(store=store, log=log, timeout=timeout_s) as app:
        server = psutil.Process(app.proc.pid)
        sampler = MemorySampler(server.pid)
        idle_mb = sampler.rss_mb()
        sampler.start()
        t0, cpu0 = time.perf_counter(), cpu_seconds([server, *server.children(recursive=True)])
        try:
            run = run_sessions(app.url, plan_list, concurrency=concurrency, timeout_s=timeout_s,
                               verbose=verbose, server_pid=server.pid)
        finally:
            peak_mb = sampler.stop()
        wall = time.perf_counter() - t0
        server_cpu = cpu_seconds([server, *server.children(recursive=True)]) - cpu0
    problems = run.problems + server_problems(log.read_text(encoding="utf-8", errors="replace"))
    first = [r["redraw_s"] for r in run.rows if r["kind"] == "first"]
    redraws = [r["redraw_s"] for r in run.rows if r["kind"] == "redraw"]
    figures = {"sessions": len(plan_list), "concurrency": concurrency, "redraws": len(redraws),
               "wall_s": round(wall, 1), "server_idle_mb": round(idle_mb), "server_peak_mb": round(peak_mb),
               "server_cpu_s": round(server_cpu, 1), "browser_cpu_s": round(run.browser_cpu_s, 1),
               "external_requests": run.external, "problems": problems, "slow": run.slow}
    for name, values in (("first", first), ("redraw", redraws)):
        if values:
            figures |= {f"{name}_p50_s": round(percentile(values, 50), 2),
                        f"{name}_p95_s": round(percentile(values, 95), 2),
                        f"{name}_max_s": round(max(values), 2)}
    # Redraws by kind: a method clicked (a rerun), an address opened or the council left (a whole page).
    by_how: dict[str, list[float]] = {}
    for r in run.rows:
        if r["kind"] == "redraw":
            by_how.setdefault(r["how"], []).append(r["redraw_s"])
    figures["redraw_p50_by_change_s"] = {how: round(percentile(times, 50), 2)
                                         for how, times in sorted(by_how.items())}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions")
    parser.add_argument("--changes", type=int, default=3, choices=range(4), help="view changes per session")
    parser.add_argument("--n", type=int, default=100_000, help="incidents (20000: built-in demo data)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for one redraw (an "
                        "overloaded machine needs minutes for 20 first renders)")
    parser.add_argument("--no-reference", action="store_true", help="skip the single-session reference")
    args = parser.parse_args()
    plan_list = plans(args.sessions, changes=args.changes)
    with tempfile.TemporaryDirectory(prefix="atlas_sessions_") as tmp:
        store = Path(tmp) / "store"
        store.mkdir()
        print(f"Preparing {args.n:,} incidents …", flush=True)
        import_s = prepare_store(store, args.n)
        print(f"{args.sessions} sessions at once, {args.changes} changes each:", flush=True)
        LOGS.mkdir(parents=True, exist_ok=True)
        load_before = os.getloadavg()[0]
        many = measure(store, LOGS / "concurrent.log", plan_list, concurrency=args.sessions,
                       timeout_s=args.timeout)
        single = None
        if not args.no_reference:
            print("Reference: the same plans one session at a time, fresh server:", flush=True)
            single = measure(store, LOGS / "single.log", plan_list, concurrency=1, timeout_s=args.timeout)
        load_after = os.getloadavg()[0]
    print()
    nan = float("nan")
    for label, fig in (("concurrent", many), ("single", single)):
        if fig is None:
            continue
        print(f"{label:<10} first render p50 {fig.get('first_p50_s', nan):6.2f} s"
              f"  p95 {fig.get('first_p95_s', nan):6.2f} s | redraw p50 {fig.get('redraw_p50_s', nan):6.2f} s"
              f"  p95 {fig.get('redraw_p95_s', nan):6.2f} s  max {fig.get('redraw_max_s', nan):6.2f} s"
              f" | server {fig['server_idle_mb']} MB idle, peak {fig['server_peak_mb']} MB"
              f" | all sessions done in {fig['wall_s']:.0f} s; CPU server {fig['server_cpu_s']:.0f} s,"
              f" browser {fig['browser_cpu_s']:.0f} s")
        print(" " * 11 + "redraw p50 by change: " + ", ".join(
            f"{how} {p50:.2f} s" for how, p50 in fig["redraw_p50_by_change_s"].items()))
    ratios = {}
    if single is not None:
        ratios = {key: round(many[key] / single[key], 2) for key in
                  ("first_p50_s", "first_p95_s", "redraw_p50_s", "redraw_p95_s", "server_peak_mb",
                   "server_cpu_s", "browser_cpu_s")
                  if many.get(key) and single.get(key)}
        print("concurrent / single: " + ", ".join(f"{k} ×{v}" for k, v in ratios.items()))
    problems = many["problems"] + (single["problems"] if single else [])
    slow = many["slow"] + (single["slow"] if single else [])
    print(f"External requests blocked: {many['external_requests']}; problems: {len(problems)}"
          f"{f' (server logs in {LOGS})' if problems else ''}; components loaded late: {len(slow)}; "
          f"load average {load_before:.1f} before, {load_after:.1f} after ({os.cpu_count()} CPUs)")
    for problem in problems:
        print(f"  PROBLEM {problem}")
    for late in slow:
        print(f"  SLOW {late}")
    print(json.dumps({"n": args.n, "import_s": round(import_s, 1), "concurrent": many, "single": single,
                      "load_average": [round(load_before, 1), round(load_after, 1)],
                      "ratio_concurrent_to_single": ratios, "ok": not problems}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
