from __future__ import annotations

from collections import Counter

import pytest

from qos.errors import ValidationError
from qos.roles import SYSTEM
from qos.sampling import allocate, draw_sample
from qos.store import reference, samples
from tests.factories import crime_line, import_lines


def test_same_seed_same_draw_and_different_seed_differs():
    population = [(i, f"R{i}", "A" if i % 3 else "B") for i in range(1, 301)]
    first = draw_sample(population, 50, seed=42)
    assert first == draw_sample(list(reversed(population)), 50, seed=42)  # order-independent
    assert first != draw_sample(population, 50, seed=43)
    assert len(set(first.sample)) == 50 and not set(first.sample) & set(first.reserve)


def test_every_crime_equally_likely_chi_square():
    population = [(i, f"R{i}", "X") for i in range(20)]
    counts: Counter[int] = Counter()
    draws = 4000
    for seed in range(draws):
        counts.update(draw_sample(population, 5, seed).sample)
    expected = draws * 5 / 20
    chi2 = sum((counts[i] - expected) ** 2 / expected for i in range(20))
    assert chi2 < 43.82  # chi-square critical value, 19 d.f., p = 0.001


def test_chi_square_would_catch_a_biased_sampler():
    population = list(range(20))
    counts = Counter(x for seed in range(4000) for x in sorted(population)[:5])  # "first five"
    expected = 1000
    chi2 = sum((counts[i] - expected) ** 2 / expected for i in population)
    assert chi2 > 43.82


def test_stratified_draw_matches_category_proportions():
    population = ([(i, f"B{i}", "Burglary") for i in range(600)]
                  + [(1000 + i, f"V{i}", "Vehicle") for i in range(300)]
                  + [(2000 + i, f"C{i}", "Criminal damage") for i in range(100)])
    draw = draw_sample(population, 50, seed=7, stratified=True)
    category = {m[0]: m[2] for m in population}
    got = Counter(category[c] for c in draw.sample)
    assert got == {"Burglary": 30, "Vehicle": 15, "Criminal damage": 5}


def test_allocation_uses_largest_remainders():
    assert allocate({"a": 1, "b": 1, "c": 1}, 2) == {"a": 1, "b": 1, "c": 0}
    assert sum(allocate({"a": 7, "b": 5, "c": 3}, 10).values()) == 10


@pytest.fixture
def month_of_crimes(store, admin):
    lines = [crime_line(f"NOR/{i:04d}", f"{(i % 28) + 1:02d}/10/2026") for i in range(1, 81)]
    lines += [
        crime_line("NOR/ARREST", "03/10/2026", arrest="Y"),
        crime_line("NOR/DECLINED", "03/10/2026", declined="Y"),
        crime_line("NOR/CHILD", "03/10/2026", under18="Y"),
        crime_line("NOR/DA", "03/10/2026", da="Y"),
        crime_line("NOR/SEX", "03/10/2026", category="Sexual offences"),
        crime_line("NOR/NOPHONE", "03/10/2026", phone=""),
        crime_line("NOR/SEPT", "30/09/2026"),
        crime_line("SOU/0001", "03/10/2026", unit="SOU"),
    ]
    import_lines(store, admin, lines)
    return reference.unit_by_code(store, SYSTEM, "NOR")


def test_sampler_only_picks_eligible_crimes(store, admin, month_of_crimes):
    population = samples.eligible_population(store, SYSTEM, month_of_crimes["id"], "2026-10",
                                             samples.current_criteria(store, SYSTEM))
    refs = {m[1] for m in population}
    # Arrest cases are called like any other victim (the report's arrest rule is about
    # Doorstep cards): the 80 plain crimes and NOR/ARREST.
    assert len(refs) == 81 and all(r.startswith("NOR/0") for r in refs - {"NOR/ARREST"})
    draw_id = samples.draw_for_month(store, admin, month_of_crimes["id"], "2026-10", seed=11)
    items = samples.list_items(store, draw_id, viewer=admin)
    assert len(items) == 50 and {i["crime_ref"] for i in items} <= refs
    draw = store.row("SELECT * FROM sample_draws WHERE id = ?", [draw_id])
    assert draw["population_size"] == 81 and draw["seed"] == 11


def test_draw_is_verifiable_and_detects_changed_data(store, admin, month_of_crimes):
    draw_id = samples.draw_for_month(store, admin, month_of_crimes["id"], "2026-10", seed=5)
    check = samples.verify_draw(store, SYSTEM, draw_id)
    assert check["same_sample"] and check["population_unchanged"]
    assert check["population_size"] == 81
    import_lines(store, admin, [crime_line("NOR/LATE", "15/10/2026")])
    later = samples.verify_draw(store, SYSTEM, draw_id)
    assert not later["population_unchanged"]


def test_second_draw_for_the_same_month_is_refused(store, admin, month_of_crimes):
    samples.draw_for_month(store, admin, month_of_crimes["id"], "2026-10", seed=1)
    with pytest.raises(ValidationError, match="already been drawn"):
        samples.draw_for_month(store, admin, month_of_crimes["id"], "2026-10", seed=2)


def test_victims_sampled_recently_are_not_drawn_again(store, admin, month_of_crimes):
    unit_id = month_of_crimes["id"]
    draw_id = samples.draw_for_month(store, admin, unit_id, "2026-10", size=10, seed=3)
    sampled = samples.list_items(store, draw_id, viewer=admin)
    phone = sampled[0]["victim_phone"]
    import_lines(store, admin, [crime_line("NOR/NOV1", "02/11/2026", phone=phone),
                                crime_line("NOR/NOV2", "02/11/2026")])
    november = samples.eligible_population(store, SYSTEM, unit_id, "2026-11",
                                           samples.current_criteria(store, SYSTEM))
    assert [m[1] for m in november] == ["NOR/NOV2"]


def test_unreachable_after_three_attempts_is_topped_up_from_reserve(store, admin,
                                                                    month_of_crimes):
    draw_id = samples.draw_for_month(store, admin, month_of_crimes["id"], "2026-10", size=10,
                                     seed=9)
    first = samples.list_items(store, draw_id, viewer=admin)[0]
    assert samples.record_attempt(store, admin, first["id"], "no_answer") == "attempted"
    assert samples.record_attempt(store, admin, first["id"], "no_answer") == "attempted"
    assert samples.record_attempt(store, admin, first["id"], "no_answer") == "unreachable"
    items = samples.list_items(store, draw_id, viewer=admin)
    assert len(items) == 11 and sum(i["status"] == "to_call" for i in items) == 10
    assert store.scalar("SELECT COUNT(*) FROM call_attempts WHERE item_id = ?", [first["id"]]) == 3


def test_swap_out_needs_a_reason_which_verify_shows(store, admin, month_of_crimes):
    draw_id = samples.draw_for_month(store, admin, month_of_crimes["id"], "2026-10", size=10,
                                     seed=9)
    item = samples.list_items(store, draw_id, viewer=admin)[2]
    with pytest.raises(ValidationError, match="why"):
        samples.swap_out(store, admin, item["id"], "")
    samples.swap_out(store, admin, item["id"], "Victim recently bereaved")
    check = samples.verify_draw(store, SYSTEM, draw_id)
    assert check["same_sample"]
    assert [(s["crime_ref"], s["swap_reason"]) for s in check["swaps"]] == [
        (item["crime_ref"], "Victim recently bereaved")]
