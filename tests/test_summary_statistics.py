"""Force estimate, false discovery rate, Code met over victims, survey groups and grades,
each checked against figures worked out by hand in the comments."""
from __future__ import annotations

import json
import math

import pytest

from qos.grading import EXCEEDS, FAILS, MEETS, NOT_GRADED, grade
from qos.rates import Change, make_rate
from qos.stats import two_proportion_test
from qos.summary import OfficialFigure, SummaryInputs, UnitRow, build_summary
from qos.templates import load_template

TEMPLATES = {1: load_template("callback", 1)}
NOR, SOU = UnitRow(1, "NOR", "North", "BCU", 50), UnitRow(2, "SOU", "South", "BCU", 40)


def checks(unit: int, month: str, satisfied: int, total: int, **extra: object) -> list[dict]:
    """`total` completed checks, the first `satisfied` of them 'very satisfied' (2) overall,
    the rest 'fairly dissatisfied' (5)."""
    return [{"id": f"{unit}{month}{i}", "unit_id": unit, "month": month, "outcome": "completed",
             "answers": json.dumps({"whole_experience": 2 if i < satisfied else 5}),
             "ethnicity": "W1", "template_version": 1, "offence_category": None, **extra}
            for i in range(total)]


def test_force_satisfaction_is_weighted_by_eligible_victims(tmp_path):
    # NOR: 40 of 50 satisfied, 900 eligible victims; SOU: 20 of 40, 100 eligible.
    # W = 900/1000 = 0.9 and 0.1; estimate = 0.9*0.8 + 0.1*0.5 = 0.77 (pooled: 60/90 = 0.667).
    # Variance = 0.81*(1 - 50/900)*0.8*0.2/49 + 0.01*(1 - 40/100)*0.5*0.5/39
    #          = 0.81*0.944444*0.0032653 + 0.01*0.6*0.0064103 = 0.0024980 + 0.0000385
    #          = 0.0025364; se = 0.050363; 95%: 0.77 -/+ 0.09871 = 0.6713 to 0.8687.
    inputs = SummaryInputs("Testshire", [NOR, SOU],
                           checks(1, "2026-10", 40, 50) + checks(2, "2026-10", 20, 40),
                           TEMPLATES, eligible={(1, "2026-10"): 900, (2, "2026-10"): 100})
    summary = build_summary(inputs, "2026-10")
    whole = summary.weighted("whole_experience")
    assert whole.weighted.estimate == pytest.approx(0.77)
    assert whole.weighted.standard_error == pytest.approx(0.050363, abs=1e-6)
    assert (whole.weighted.low, whole.weighted.high) == (pytest.approx(0.6713, abs=1e-4),
                                                         pytest.approx(0.8687, abs=1e-4))
    assert (whole.pooled.hits, whole.pooled.valid) == (60, 90)
    assert whole.strata == [("NOR", 900, whole.strata[0][2]), ("SOU", 100, whole.strata[1][2])]
    # The workbook carries the same estimate, and the method sheet explains it.
    import openpyxl

    from qos.excel import write_summary_workbook

    book = openpyxl.load_workbook(write_summary_workbook(summary, tmp_path / "s.xlsx"))
    sheet = book["Force estimate"]
    headers = [c.value for c in sheet[4]]
    cells = next(dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=5,
                 values_only=True) if r[0] == "Whole experience")
    assert cells["Weighted estimate"] == pytest.approx(0.77)
    assert cells["95% low"] == pytest.approx(0.6713, abs=1e-4)
    assert (cells["Unweighted: satisfied"], cells["Unweighted: answers"]) == (60, 90)
    method = " ".join(str(c.value) for c in book["How calculated"]["A"])
    for words in ("stratified estimate", "Benjamini-Hochberg", (f"{summary.comparisons} this "
                  "month"), "never while deteriorating", "counts victims, not answers",
                  "Checks made in October 2026", "October 2026 sample: called so far"):
        assert words in method
    # A unit without a drawn sample has no eligible-victim count: left out, and said so.
    no_frame = build_summary(SummaryInputs("T", [NOR, SOU], inputs.callbacks, TEMPLATES,
                                           eligible={(1, "2026-10"): 900}), "2026-10")
    assert no_frame.weighted("whole_experience").weighted.estimate == pytest.approx(0.8)
    assert no_frame.weighted("whole_experience").weighted.strata_left_out == 1


def test_significance_is_the_adjusted_result_within_the_month():
    # NOR: 36/50 this October, 26/50 a year earlier; SOU 12/20 both years; nothing else.
    # Testable comparisons (both sides with 10+ answers), m = 16:
    #   NOR: month vs year ago, 3 months vs 12 before, 12 months vs 12 before and 3 months vs
    #        the same 3 a year earlier all compare 36/50 with 26/50: z = 0.2/0.097077 = 2.0602,
    #        p = 0.0394 (four times); against the rest of the force (month, and 3 months)
    #        36/50 vs 12/20: p = 0.3285 (twice).
    #   SOU: the same four year-on-year tests, 12/20 vs 12/20: p = 1 (four times); against
    #        the rest, 12/20 vs 36/50: p = 0.3285 (twice).
    #   Force: four year-on-year tests of 48/70 vs 38/70: z = 1.7363, p = 0.0825.
    # Benjamini-Hochberg: ranks 1-4 hold 0.0394, so 0.0394*16/4 = 0.1576; ranks 5-8 give
    # 0.0825*16/8 = 0.1650, above it, so the running minimum leaves 0.1576. Not significant,
    # though each p of 0.0394 alone is below 0.05.
    rows = (checks(1, "2026-10", 36, 50) + checks(1, "2025-10", 26, 50)
            + checks(2, "2026-10", 12, 20) + checks(2, "2025-10", 12, 20))
    summary = build_summary(SummaryInputs("T", [NOR, SOU], rows, TEMPLATES), "2026-10")
    assert summary.comparisons == 16
    nor = summary.units[0].driver("whole_experience")
    assert nor.vs_year_ago.test.p_value == pytest.approx(0.0394, abs=1e-4)
    assert nor.vs_year_ago.adjusted_p == pytest.approx(nor.vs_year_ago.test.p_value * 4)
    assert nor.vs_year_ago.adjusted_p == pytest.approx(0.1576, abs=5e-4)
    assert not nor.vs_year_ago.significant
    force = summary.force.driver("whole_experience")
    assert force.vs_year_ago.test.p_value == pytest.approx(0.0825, abs=1e-4)
    assert force.vs_year_ago.adjusted_p == pytest.approx(force.vs_year_ago.test.p_value * 2)
    assert summary.units[0].grade_for("whole_experience").grade == MEETS


def test_code_met_counts_victims_not_answers():
    # Four victims: (Y, Y, Y) met; (Y, N, Y) not met; (Y, X, Y) met (X = not applicable is
    # left out); (X, X, X) asked nothing applicable, so not counted. 2 of 3 victims, whereas
    # the answers pooled would say 7 yes of 8.
    answers = [("Y", "Y", "Y"), ("Y", "N", "Y"), ("Y", "X", "Y"), ("X", "X", "X")]
    rows = [{"id": i, "unit_id": 1, "month": "2026-10", "outcome": "completed",
             "answers": json.dumps(dict(zip(["vc_leaflet", "vc_next_steps", "vc_kept_updated"],
                                            a, strict=True))),
             "ethnicity": "NS", "template_version": 1, "offence_category": None}
            for i, a in enumerate(answers)]
    nor = build_summary(SummaryInputs("T", [NOR], rows, TEMPLATES), "2026-10", min_n=1).units[0]
    assert (nor.victims_code_overall.hits, nor.victims_code_overall.valid) == (2, 3)
    low, high = (make_rate(2, 3, 1).low, make_rate(2, 3, 1).high)
    assert (nor.victims_code_overall.low, nor.victims_code_overall.high) == (low, high)
    items = {i.key: (i.rate.hits, i.rate.valid) for i in nor.victims_code}
    assert items == {"vc_leaflet": (3, 3), "vc_next_steps": (1, 2), "vc_kept_updated": (3, 3)}


def test_satisfaction_by_survey_group_over_twelve_months():
    # Burglary dwelling -> Burglary: 2 of 3 satisfied (one in Dec 2025, inside the 12 months);
    # Theft -> Other: 1 of 1; Road traffic collision: 0 of 1; a history check with no crime
    # on file has no group; a burglary from Oct 2025 falls outside Nov 2025 - Oct 2026.
    rows = (checks(1, "2026-10", 1, 2, offence_category="Burglary dwelling")
            + checks(1, "2025-12", 1, 1, offence_category=" burglary DWELLING ")
            + checks(1, "2026-09", 1, 1, offence_category="Theft")
            + checks(1, "2026-10", 0, 1, offence_category="Road traffic collision")
            + checks(1, "2026-10", 1, 1)
            + checks(1, "2025-10", 1, 1, offence_category="Burglary dwelling"))
    nor = build_summary(SummaryInputs("T", [NOR], rows, TEMPLATES), "2026-10").units[0]
    groups = {g.key: (g.rate.hits, g.rate.valid) for g in nor.survey_groups}
    assert groups == {"Burglary": (2, 3), "Violent crime": (0, 0), "Vehicle crime": (0, 0),
                      "Road traffic collisions": (0, 1), "Other": (1, 1)}


def _change(x1: int, n1: int, x2: int, n2: int, adjusted: float) -> Change:
    return Change(make_rate(x2, n2, 10), two_proportion_test(x1, n1, x2, n2),
                  make_rate(x1, n1, 10), adjusted)


@pytest.mark.parametrize("peers, trend, expected", [
    ((45, 50, 30, 50), None, EXCEEDS),  # significantly above peers, no year-earlier figure
    ((45, 50, 30, 50), (45, 50, 30, 50), EXCEEDS),
    ((45, 50, 30, 50), (30, 50, 45, 50), MEETS),  # above peers but deteriorating: not exceeding
    ((30, 50, 45, 50), (45, 50, 30, 50), MEETS),  # below peers but improving: credit given
    ((30, 50, 45, 50), (40, 50, 40, 50), FAILS),  # a significant shortfall
    ((40, 50, 40, 50), (30, 50, 45, 50), FAILS),  # a significant deterioration
    ((40, 50, 38, 50), (40, 50, 38, 50), MEETS),  # no real difference either way
    ((4, 5, 3, 5), (4, 5, 3, 5), NOT_GRADED),  # too few answers to compare
])
def test_grade_rule(peers, trend, expected):
    # 45/50 vs 30/50: z = 3.35, p = 0.0008, significant; 40/50 vs 38/50: p = 0.62.
    # Adjusted p is set to the raw p here: the rule reads only the adjusted verdict.
    def made(counts):
        if counts is None:
            return None
        change = _change(*counts, 0.0)
        change.adjusted_p = change.test.p_value
        return change

    result = grade("whole_experience", "Whole experience", "test", "the rest of the force",
                   made(peers), made(trend))
    assert result.grade == expected


def test_grade_reads_the_adjusted_p_not_the_raw_one():
    change = _change(45, 50, 30, 50, 0.2)  # raw p 0.0008, adjusted 0.2 by a large family
    assert change.test.p_value < 0.001
    assert grade("k", "K", "b", "peers", change, None).grade == MEETS


def test_units_graded_against_official_survey_figures_when_loaded():
    # 2026-Q4 survey: NOR 85.0% of 600 (510), the most similar forces 80.0% of 6,000 (4,800),
    # NOR a year earlier 86.0% of 600 (516). No call-backs, so these two are the family.
    # NOR vs MSF: pooled 5310/6600 = 0.80455, se = sqrt(0.80455*0.19545*(1/600 + 1/6000))
    # = 0.016979, z = 0.05/0.016979 = 2.9448, p = 0.00323; adjusted (m = 2, rank 1) 0.00646.
    # NOR vs a year earlier: 510/600 vs 516/600, p = 0.63. Grade: exceeds (above the MSF,
    # no deterioration).
    official = [OfficialFigure("2026-Q4", "NOR", "whole_experience", 85.0, 600),
                OfficialFigure("2026-Q4", "MSF", "whole_experience", 80.0, 6000),
                OfficialFigure("2025-Q4", "NOR", "whole_experience", 86.0, 600)]
    summary = build_summary(SummaryInputs("T", [NOR, SOU], [], TEMPLATES, official=official),
                            "2026-10")
    assert summary.comparisons == 2 and summary.official_quarter == "2026-Q4"
    nor = summary.units[0].grade_for("whole_experience")
    assert nor.basis == "User satisfaction survey 2026-Q4"
    assert nor.peers.test.p_value == pytest.approx(0.00323, abs=2e-5)
    assert nor.peers.adjusted_p == pytest.approx(0.00646, abs=4e-5)
    assert nor.grade == EXCEEDS
    assert summary.units[1].grade_for("whole_experience").grade == NOT_GRADED  # none for SOU
    assert math.isnan(summary.units[1].grade_for("whole_experience").peers.adjusted_p)
