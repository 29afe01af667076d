"""Loading the force's user-satisfaction survey figures (per BCU, force and MSF, by quarter)."""
from __future__ import annotations

import pytest

from qos.errors import PermissionDenied
from qos.roles import SYSTEM, Role
from qos.store.official_survey import import_official_survey, official_figures
from qos.tabular import read_csv_text
from tests.conftest import make_user

CSV = ("Quarter,Unit,Driver,Satisfied %,Respondents\n"
       "2026-Q4,NOR,Whole experience,85.0,600\n"
       "2026 Q4,msf,whole_experience,80%,\"6,000\"\n"
       "2025-Q4,NOR,whole_experience,86,600\n")


def test_survey_figures_load_and_grade_the_unit(store, admin):
    from qos.store.summary_data import monthly_summary

    result = import_official_survey(store, admin, read_csv_text(CSV), all_or_nothing=True)
    assert (result.applied, result.inserted, result.bad) == (True, 3, [])
    figures = {(f.quarter, f.unit_code, f.driver): (f.satisfied_pct, f.respondents, f.hits)
               for f in official_figures(store, SYSTEM)}
    assert figures[("2026-Q4", "MSF", "whole_experience")] == (80.0, 6000, 4800)
    nor = next(u for u in monthly_summary(store, admin, "2026-11").units if u.code == "NOR")
    assert nor.grade_for("whole_experience").basis == "User satisfaction survey 2026-Q4"
    # Loading a quarter again replaces its figures, never duplicates them.
    again = import_official_survey(store, admin, read_csv_text(CSV.replace("85.0", "70.0")),
                                   all_or_nothing=True)
    assert (again.inserted, again.updated) == (0, 3)
    assert store.scalar("SELECT satisfied_pct FROM official_survey WHERE unit_code = 'NOR' "
                        "AND quarter = '2026-Q4'") == 70.0


def test_bad_survey_rows_are_named_and_nothing_is_loaded(store, admin):
    bad = CSV + "2026-Q5,NOR,whole_experience,80,600\n2026-Q4,XYZ,whole_experience,80,600\n" \
                "2026-Q4,NOR,Happiness,80,600\n2026-Q4,NOR,arrival,120,600\n"
    result = import_official_survey(store, admin, read_csv_text(bad), all_or_nothing=True)
    assert not result.applied
    reasons = " | ".join(str(p) for p in result.bad)
    assert "'2026-Q5' is not a quarter" in reasons and "unknown unit 'XYZ'" in reasons
    assert "'Happiness' is not a driver" in reasons and "'120' is not a percentage" in reasons
    assert store.scalar("SELECT COUNT(*) FROM official_survey") == 0


def test_only_an_administrator_loads_survey_figures(store, admin):
    supervisor = make_user(store, admin, "sup", Role.SUPERVISOR, "NOR")
    with pytest.raises(PermissionDenied):
        import_official_survey(store, supervisor, read_csv_text(CSV), all_or_nothing=True)


def test_survey_import_from_the_command_line(store, admin, tmp_path):
    from qos.cli import run

    path = tmp_path / "survey.csv"
    path.write_text(CSV, encoding="utf-8")
    store.close()
    assert run(["import", "--user", "admin", "survey", str(path), "--db", str(store.path)]) == 0
