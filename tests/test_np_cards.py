"""NP comment cards (issue 19): cards put out by place, strips returned, "you said, we did",
and the workbook sheet. Figures worked by hand."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from qos.errors import PermissionDenied, ValidationError
from qos.roles import Role
from qos.store import np_cards, reference
from tests.conftest import make_user

D = dt.date


@pytest.fixture
def cards(store, admin):
    nor = reference.unit_by_code(store, admin, "NOR")["id"]
    sou = reference.unit_by_code(store, admin, "SOU")["id"]
    counter = np_cards.put_out(store, admin, "front_counter", "Northgate counter", nor, 50,
                               D(2026, 9, 20))
    library = np_cards.put_out(store, admin, "library", "Eastfield library", nor, 20,
                               D(2026, 10, 2))
    show = np_cards.put_out(store, admin, "event", "County show", sou, 100, D(2026, 10, 10))
    np_cards.put_out(store, admin, "library", "Southmead library", sou, 30, D(2026, 11, 2))
    ids = {}
    for name, batch, day, themes in (("r1", counter, D(2026, 9, 28), "12"),
                                     ("r2", counter, D(2026, 10, 3), "1"),
                                     ("r3", library, D(2026, 10, 15), "3"),
                                     ("r4", show, D(2026, 10, 20), "2 7"),
                                     ("r5", show, D(2026, 11, 3), "")):
        ids[name] = np_cards.record_return(store, admin, batch, f"Comment {name}",
                                           theme_codes=themes, received_on=day)
    return {"ids": ids, "counter": counter}


def _row(store, return_id):
    return store.row("SELECT * FROM np_card_returns WHERE id = ?", [return_id])


def test_you_said_we_did_a_comment_closes_only_with_its_outcome(store, admin, cards):
    r1 = cards["ids"]["r1"]
    with pytest.raises(ValidationError, match="action before closing"):
        np_cards.close_return(store, admin, r1, 1, "Patrols added", D(2026, 10, 5))
    version = np_cards.set_action(store, admin, r1, 1, "Add evening foot patrols")
    with pytest.raises(ValidationError, match="only with its outcome"):
        np_cards.close_return(store, admin, r1, version, "  ", D(2026, 10, 5))
    with pytest.raises(ValidationError, match="before it came back"):
        np_cards.close_return(store, admin, r1, version, "Done", D(2026, 9, 27))
    np_cards.close_return(store, admin, r1, version, "Two evening patrols a week since",
                          D(2026, 10, 5))
    row = _row(store, r1)
    assert (row["outcome"], row["closed_on"]) == ("Two evening patrols a week since",
                                                 "2026-10-05")
    assert row["themes"] == '["Visible patrols", "Anti-social behaviour"]'
    with pytest.raises(Exception, match="CHECK"):  # the table itself refuses it too
        store.conn.execute("UPDATE np_card_returns SET outcome = NULL WHERE id = ?", [r1])


def test_a_returned_strip_names_what_is_wrong(store, admin, cards):
    with pytest.raises(ValidationError, match="'9' is not a theme number \\(1 to 8\\)"):
        np_cards.record_return(store, admin, cards["counter"], "x", theme_codes="19")
    with pytest.raises(ValidationError, match="before it was put out"):
        np_cards.record_return(store, admin, cards["counter"], "x", received_on=D(2026, 9, 1))
    with pytest.raises(ValidationError, match="the comment"):
        np_cards.record_return(store, admin, cards["counter"], " ")
    small = np_cards.put_out(store, admin, "event", "Fete", reference.unit_by_code(
        store, admin, "NOR")["id"], 1, D(2026, 10, 1))
    np_cards.record_return(store, admin, small, "Lovely")
    with pytest.raises(ValidationError, match="already back"):
        np_cards.record_return(store, admin, small, "Again")


@pytest.mark.parametrize("role", list(Role))
def test_who_may_key_cards(store, admin, role):
    actor = make_user(store, admin, f"who-{role.value}", role, "NOR")
    nor = reference.unit_by_code(store, admin, "NOR")["id"]
    try:
        np_cards.put_out(store, actor, "library", "Library", nor, 10)
        allowed = True
    except PermissionDenied:
        allowed = False
    assert allowed == (role in (Role.ADMIN, Role.SUPERVISOR, Role.BUREAU))


def test_the_sheet_counts_returns_against_cards_put_out(store, admin, cards, tmp_path):
    from qos.excel import write_summary_workbook
    from qos.store.summary_data import monthly_summary

    ids = cards["ids"]
    for name, closed in (("r1", D(2026, 10, 5)), ("r2", D(2026, 10, 13))):
        version = np_cards.set_action(store, admin, ids[name], 1, "Patrols")
        np_cards.close_return(store, admin, ids[name], version, "Patrols done", closed)
    np_cards.set_action(store, admin, ids["r3"], 1, "Speed watch with residents")
    figures = monthly_summary(store, admin, "2026-10").routines.np_cards
    assert [(p.unit_code, p.place, p.cards, p.returned, p.returned_this_month)
            for p in figures.places] == [
        ("NOR", "Eastfield library", 20, 1, 1),
        ("NOR", "Northgate counter", 50, 2, 1),  # r1 in September, r2 in October
        ("SOU", "County show", 100, 1, 1)]  # r5 came back in November
    assert figures.places[1].return_rate == pytest.approx(2 / 50)
    # October's returns r2, r3, r4: one each of four themes.
    assert figures.themes == [("Anti-social behaviour", 1), ("Praise for the team", 1),
                              ("Speeding and parking", 1), ("Visible patrols", 1)]
    # Open at the end of October: r3, r4. Closed in October: r1 after 5 Oct - 28 Sep = 7
    # days, r2 after 13 - 3 = 10 days: mean 8.5.
    assert (figures.actions_open, figures.closed) == (2, 2)
    assert figures.mean_days_to_close == pytest.approx(8.5)
    book = openpyxl.load_workbook(write_summary_workbook(
        monthly_summary(store, admin, "2026-10"), tmp_path / "s.xlsx"))
    sheet = book["NP comment cards"]
    first = next(sheet.iter_rows(min_row=5, max_row=5, values_only=True))
    assert first == ("NOR", "Library", "Eastfield library", 20, 1, 0.05, 1)
    last_rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == 2]
    assert last_rows[-1] == (2, 2, 8.5, None, None, None, None)
