"""House rules that ruff cannot see: who talks to streamlit, and app.py only places the screens."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "layers", "ui", "benchmarks")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_app_py_and_ui_import_streamlit():
    sources = [ROOT / "app.py", *(p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py")))]
    talking = {str(p.relative_to(ROOT)) for p in sources
               if "streamlit" in imported_modules(p)}  # (benchmarks/redraw.py times streamlit_folium)
    assert "app.py" in talking and any(name.startswith("ui/") for name in talking)
    assert {name for name in talking if name != "app.py" and not name.startswith("ui/")} == set()


def test_app_py_sets_up_the_page_and_places_the_screens_only():
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    assert len((ROOT / "app.py").read_text(encoding="utf-8").splitlines()) <= 150
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)] == ["main"]
