"""The app under ``streamlit.testing`` in a process of its own, for faults the test process cannot
have itself (no write permission although root, a file size limit). Run as
``python -m tests.geo.store.app_child ACTION [ARG]`` with ``ATLAS_DATA_DIR`` set; prints what the
page showed as one JSON object.

ACTION ``loeschen NAME``: open data set NAME and press its delete button.
ACTION ``importieren FILE``: upload FILE in the sidebar and press "Importieren".
"""

import json
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[3]


def main(action: str, argument: str) -> dict:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if action == "loeschen":
        app.query_params["daten"] = argument
        app.run()
        next(b for b in app.button if b.label.startswith("Datensatz „")).click().run()
    elif action == "importieren":
        app.run()
        path = Path(argument)
        app.file_uploader(key="w_import").set_value((path.name, path.read_bytes(), "text/csv")).run()
        next(b for b in app.button if b.label == "Importieren").click().run()
    else:
        raise SystemExit(f"unknown action {action}")
    return {"errors": [e.value for e in app.error], "exceptions": [str(e.value) for e in app.exception],
            "captions": [c.value for c in app.caption], "titles": [t.value for t in app.title]}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2]), ensure_ascii=False))
