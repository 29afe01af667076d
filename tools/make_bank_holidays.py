"""Developer aid: write resources/calendar/bank_holidays.json from the `holidays` package.

python tools/make_bank_holidays.py   (run again when `holidays` is upgraded; a test checks
that the file and the package agree on every year the file covers)
"""
from __future__ import annotations

import json
from pathlib import Path

import holidays

FIRST, LAST = 2000, 2045
OUT = Path(__file__).resolve().parent.parent / "resources" / "calendar" / "bank_holidays.json"


def main() -> None:
    found = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST, LAST + 1))
    OUT.write_text(json.dumps({
        "what": "Bank holidays in England and Wales; edit to add a one-off (a state occasion)",
        "source": f"python-holidays {holidays.__version__}, GB subdivision ENG",
        "first_year": FIRST, "last_year": LAST,
        "dates": {day.isoformat(): name for day, name in sorted(found.items())},
    }, indent=1) + "\n", encoding="utf-8")
    print(OUT)


if __name__ == "__main__":
    main()
