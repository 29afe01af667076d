"""The demo shows each summary figure: weighted force estimate, grades on both bases, survey
groups, bureau satisfaction, and the two differently named check counts."""
from __future__ import annotations

import datetime as dt

from qos.demo import build_demo
from qos.roles import SYSTEM
from qos.store.summary_data import monthly_summary


def test_demo_shows_every_figure(store):
    build_demo(store, seed=3, end_month="2026-09", months=3, crimes_per_unit_month=60,
               officers=60, volunteers=4)
    summary = monthly_summary(store, SYSTEM, "2026-09")
    whole = summary.weighted("whole_experience")
    # The control room (FCC, issue 19) records no crimes: no stratum of its own.
    eligible = [n for code, n, _ in whole.strata if code != "FCC"]
    assert min(eligible) > 0 and max(eligible) > 2 * min(eligible)  # units of unequal size
    assert whole.weighted.strata_used == len(summary.units) - 1
    assert whole.weighted.low < whole.weighted.estimate < whole.weighted.high
    bases = {g.basis for u in summary.units for g in u.grades}
    assert "User satisfaction survey 2026-Q3" in bases and "QoS checks, last 3 months" in bases
    assert summary.official_quarter == "2026-Q3" and summary.comparisons > 50
    groups = {g.key: g.rate.valid for u in summary.units for g in u.survey_groups
              if g.rate.valid}
    assert {"Burglary", "Vehicle crime", "Violent crime", "Other"} <= set(groups)
    # The demo's bureau calls are its most recent work (the last 40 days, whatever the date).
    now = monthly_summary(store, SYSTEM, dt.date.today().isoformat()[:7])
    assert now.force.bureau_satisfaction.rolling12.valid > 100
    # Calls happen weeks after the month closes: September's checks come from earlier
    # samples, and September's own sample is still being called.
    assert summary.force.completed > 0
    assert summary.force.sample.size > 0
    assert summary.force.sample.called != summary.force.completed
