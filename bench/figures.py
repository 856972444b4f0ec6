"""How every benchmark prints its figures: aligned lines, or one JSON object with --json."""

from __future__ import annotations

import json


def print_figures(figures: dict[str, object], as_json: bool) -> None:
    figures = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    if as_json:
        print(json.dumps(figures))
        return
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:>{width}}: {value}")
