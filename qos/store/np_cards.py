"""NP comment cards: the cards put out at each place, the reply-paid strips returned, and each
comment routed to the neighbourhood team with an action and an outcome ("you said, we did").

HMIC Kent 2008, lines 1400-1403 and 1490-1493: the force could not say how many cards came
back, nor show how they influenced service delivery.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from qos.errors import ValidationError
from qos.months import month_bounds
from qos.roles import Action, Actor, require
from qos.routine_figures import NpCardFigures, NpPlaceCount
from qos.settings import setting
from qos.store.core import Row, Store

PLACE_KINDS = {"front_counter": "Front counter", "library": "Library", "event": "Event",
               "other": "Other public place"}


def _day(on: dt.date | None, what: str) -> str:
    day = on or dt.date.today()
    if day > dt.date.today():
        raise ValidationError(f"{what} cannot be in the future.")
    return day.isoformat()


def put_out(store: Store, actor: Actor, place_kind: str, place: str, unit_id: int,
            cards: int, on: dt.date | None = None) -> int:
    """Cards put out at a place (a counter, a library, an event) in an area."""
    require(actor, Action.MANAGE_NP_CARDS)
    if place_kind not in PLACE_KINDS:
        raise ValidationError("Choose front counter, library, event or other.")
    if not place.strip():
        raise ValidationError("Name the place the cards were put out.")
    if cards < 1:
        raise ValidationError("Put out at least one card.")
    if not store.scalar("SELECT 1 FROM units WHERE id = ? AND active = 1", [unit_id]):
        raise ValidationError("Choose the area (unit) the place is in.")
    return store.insert_record(actor, "np_card_batches", {
        "place_kind": place_kind, "place": place.strip(), "unit_id": unit_id,
        "put_out_on": _day(on, "Putting cards out"), "cards": cards})


def list_batches(store: Store, actor: Actor) -> list[Row]:
    require(actor, Action.MANAGE_NP_CARDS)
    rows = store.rows(
        "SELECT b.id, b.place_kind, b.place, b.put_out_on, b.cards, u.code AS unit_code, "
        "b.unit_id, (SELECT COUNT(*) FROM np_card_returns r WHERE r.batch_id = b.id) AS returned "
        "FROM np_card_batches b JOIN units u ON u.id = b.unit_id "
        "ORDER BY b.put_out_on DESC, b.id DESC")
    for row in rows:
        row["kind"] = PLACE_KINDS[row["place_kind"]]
    return rows


def _themes_from_codes(store: Store, text: str) -> list[str]:
    """'1 3', '1,3' or '13' -> those themes by number; an unknown number is refused."""
    names = list(setting(store, "np_card_themes"))
    digits = [c for c in text if not c.isspace() and c != ","]
    found: list[str] = []
    for digit in digits:
        if not digit.isdigit() or not 1 <= int(digit) <= len(names):
            raise ValidationError(f"'{digit}' is not a theme number (1 to {len(names)}).")
        if names[int(digit) - 1] not in found:
            found.append(names[int(digit) - 1])
    return found


def record_return(store: Store, actor: Actor, batch_id: int, comment: str, *,
                  theme_codes: str = "", unit_id: int | None = None,
                  received_on: dt.date | None = None) -> int:
    """A returned strip: which cards it came from, when, the area, themes and the comment.
    The area defaults to the place's; routed to that area's neighbourhood team."""
    require(actor, Action.MANAGE_NP_CARDS)
    batch = store.row("SELECT * FROM np_card_batches WHERE id = ?", [batch_id])
    if batch is None:
        raise ValidationError("Choose the place the card was put out.")
    if not comment.strip():
        raise ValidationError("Key in the comment written on the strip.")
    day = _day(received_on, "A card's return")
    if day < batch["put_out_on"]:
        raise ValidationError("A card cannot come back before it was put out.")
    area = unit_id or batch["unit_id"]
    if not store.scalar("SELECT 1 FROM units WHERE id = ? AND active = 1", [area]):
        raise ValidationError("Choose the area the comment is about.")
    with store.write():
        returned = store.scalar("SELECT COUNT(*) FROM np_card_returns WHERE batch_id = ?",
                                [batch_id])
        if returned >= batch["cards"]:
            raise ValidationError(f"All {batch['cards']} cards put out at {batch['place']} "
                                  "are already back: check the place chosen.")
        return store.insert_record(actor, "np_card_returns", {
            "batch_id": batch_id, "unit_id": area, "received_on": day,
            "themes": json.dumps(_themes_from_codes(store, theme_codes)),
            "comment": comment.strip()})


def list_returns(store: Store, actor: Actor, *, open_only: bool = False) -> list[Row]:
    require(actor, Action.MANAGE_NP_CARDS)
    where = "WHERE r.closed_on IS NULL" if open_only else ""
    rows = store.rows(
        "SELECT r.id, r.received_on, r.themes, r.comment, r.action, r.outcome, r.closed_on, "
        "r.version, b.place, u.code AS unit_code FROM np_card_returns r "
        "JOIN np_card_batches b ON b.id = r.batch_id JOIN units u ON u.id = r.unit_id "
        f"{where} ORDER BY r.received_on DESC, r.id DESC")
    for row in rows:
        row["themes"] = ", ".join(json.loads(row["themes"]))
    return rows


def set_action(store: Store, actor: Actor, return_id: int, version: int, action: str) -> int:
    """What the neighbourhood team will do about the comment."""
    require(actor, Action.MANAGE_NP_CARDS)
    if not action.strip():
        raise ValidationError("Say what the neighbourhood team will do.")
    return store.update_record(actor, "np_card_returns", return_id, version,
                               {"action": action.strip()})


def close_return(store: Store, actor: Actor, return_id: int, version: int, outcome: str,
                 on: dt.date | None = None) -> int:
    """Close with the outcome ("you said, we did"): no outcome, no closing."""
    require(actor, Action.MANAGE_NP_CARDS)
    if not outcome.strip():
        raise ValidationError("A comment closes only with its outcome: what was done.")
    row = store.row("SELECT received_on, action FROM np_card_returns WHERE id = ?", [return_id])
    if row is None:
        raise ValidationError("That card no longer exists.")
    if not row["action"]:
        raise ValidationError("Record the team's action before closing.")
    day = _day(on, "Closing")
    if day < row["received_on"]:
        raise ValidationError("A comment cannot be closed before it came back.")
    return store.update_record(actor, "np_card_returns", return_id, version,
                               {"outcome": outcome.strip(), "closed_on": day})


def np_card_figures(store: Store, actor: Actor, month: str) -> NpCardFigures:
    """For the workbook: returns by place and area against cards put out (up to the end of
    the month), the month's themes, actions open and closed, and the time to close."""
    require(actor, Action.VIEW_SUMMARY)
    start, end = month_bounds(month)
    places = [NpPlaceCount(r["unit_code"], PLACE_KINDS[r["place_kind"]], r["place"],
                           r["cards"], r["returned"], r["this_month"])
              for r in store.rows(
                  "SELECT u.code AS unit_code, b.place_kind, b.place, SUM(b.cards) AS cards, "
                  "(SELECT COUNT(*) FROM np_card_returns r JOIN np_card_batches c "
                  " ON c.id = r.batch_id WHERE c.unit_id = b.unit_id AND c.place = b.place AND "
                  " c.place_kind = b.place_kind AND r.received_on < ?) AS returned, "
                  "(SELECT COUNT(*) FROM np_card_returns r JOIN np_card_batches c "
                  " ON c.id = r.batch_id WHERE c.unit_id = b.unit_id AND c.place = b.place AND "
                  " c.place_kind = b.place_kind AND r.received_on >= ? AND r.received_on < ?) "
                  " AS this_month "
                  "FROM np_card_batches b JOIN units u ON u.id = b.unit_id "
                  "WHERE b.put_out_on < ? GROUP BY u.code, b.place_kind, b.place "
                  "ORDER BY u.code, b.place", [end, start, end, end])]
    themes: Counter[str] = Counter()
    for row in store.rows("SELECT themes FROM np_card_returns WHERE received_on >= ? AND "
                          "received_on < ?", [start, end]):
        themes.update(json.loads(row["themes"]))
    open_now = int(store.scalar(
        "SELECT COUNT(*) FROM np_card_returns WHERE received_on < ? AND "
        "(closed_on IS NULL OR closed_on >= ?)", [end, end]))
    closed = store.rows("SELECT received_on, closed_on FROM np_card_returns "
                        "WHERE closed_on >= ? AND closed_on < ?", [start, end])
    days = [(dt.date.fromisoformat(r["closed_on"]) - dt.date.fromisoformat(r["received_on"])).days
            for r in closed]
    return NpCardFigures(places, sorted(themes.items(), key=lambda t: (-t[1], t[0])), open_now,
                         len(closed), sum(days) / len(days) if days else None)
