"""Präventionsatlas Sachsen — the pure core.

Boundaries, coordinate reference systems, incident data, grids and hotspot
statistics. Nothing in this package imports streamlit or folium; the app and the
map layers build on it, never the other way round.
"""

from __future__ import annotations

#: The distribution's name in pyproject.toml (``pip install .`` installs it under this name).
DISTRIBUTION = "praeventionsatlas-sachsen"


def __getattr__(name: str) -> str:
    """``geo.__version__``: the installed distribution's version; in a checkout that was not
    installed, the one in pyproject.toml (the version is written in that one place)."""
    if name != "__version__":
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        import tomllib
        from pathlib import Path

        with (Path(__file__).resolve().parents[1] / "pyproject.toml").open("rb") as file:
            return tomllib.load(file)["project"]["version"]
