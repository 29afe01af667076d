"""Demo figures from the force's official user-satisfaction survey, so the demo's grades show
both bases: BCUs judged on the survey's whole-experience figures for the quarter (against the
most similar forces and a year earlier), every other driver and department on QoS checks."""
from __future__ import annotations

import random

from qos.months import shift_month
from qos.roles import Actor
from qos.store import reference
from qos.store.core import Store
from qos.store.official_survey import import_official_survey
from qos.summary import HEADLINE, quarter_of
from qos.tabular import Table


def load_demo_survey(store: Store, admin: Actor, rng: random.Random, end_month: str) -> int:
    """Survey lines for the end month's quarter and the same quarter a year earlier."""
    table = Table(headers=["Quarter", "Unit", "Driver", "Satisfied %", "Respondents"])
    bcus = [u["code"] for u in reference.list_units(store, admin) if u["kind"] == "BCU"]
    lines: list[list[str]] = []
    for quarter in (quarter_of(end_month), quarter_of(shift_month(end_month, -12))):
        lines.append([quarter, "MSF", HEADLINE, "80.0", "9000"])
        lines.append([quarter, "FORCE", HEADLINE, f"{rng.uniform(76, 84):.1f}",
                      str(150 * len(bcus))])
        lines += [[quarter, code, HEADLINE, f"{rng.uniform(72, 88):.1f}", "150"]
                  for code in bcus]
    table.rows.extend((n, cells) for n, cells in enumerate(lines, start=2))
    return import_official_survey(store, admin, table, all_or_nothing=True).inserted
