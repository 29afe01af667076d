"""Who is never called: the exclusions a force chooses, one list for the monthly sample and
another for the contact bureau's queue (settings `sample_exclusions`, `bureau_exclusions`).

Each exclusion has a key, the words the draw record counts it under and the SQL test that a
crime (alias `c`) falls under it. A draw records the keys it applied, so `verify` re-checks
exactly those, built-in ones included, even after the force changes its settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qos.errors import ValidationError

if TYPE_CHECKING:
    from qos.roles import Actor
    from qos.store.core import Store


@dataclass(frozen=True)
class Exclusion:
    key: str
    label: str  # as counted: "12 declined contact"
    sql: str  # true when the crime is excluded


EXCLUSIONS: dict[str, Exclusion] = {e.key: e for e in (
    Exclusion("declined_contact", "declined contact", "c.declined_contact = 1"),
    Exclusion("opted_out", "opted out", "c.contact_opt_out = 1"),
    Exclusion("no_phone", "no phone", "COALESCE(c.victim_phone, '') = ''"),
    Exclusion("under_18", "under 18", "c.victim_under_18 = 1"),
    Exclusion("domestic_abuse", "domestic abuse", "c.domestic_abuse = 1"),
    Exclusion("on_duty_officer", "on-duty officer", "c.victim_on_duty_officer = 1"),
    Exclusion("sensitive_category", "sensitive offence category", ""),  # sql built below
)}
# Draws made before the arrest exclusion was removed applied it; verify still re-checks it
# for them. It cannot be chosen again: it biased satisfaction upward (issue 14, point 1).
LEGACY_ARREST = Exclusion("arrest", "arrest made", "c.arrested_on IS NOT NULL")
RECONTACT = "recently_called"
RECONTACT_LABEL = "called in the re-contact window"
SETTING = {"sample": "sample_exclusions", "bureau": "bureau_exclusions"}


def exclusion(key: str) -> Exclusion:
    return LEGACY_ARREST if key == LEGACY_ARREST.key else EXCLUSIONS[key]


def keys_of(criteria: dict[str, Any]) -> list[str]:
    """The exclusion keys a criteria record applies. A draw made before exclusions were
    recorded by key applied the arrest, declined, opt-out and no-phone rules in code, plus
    the three yes/no settings of that time."""
    if "exclusions" in criteria:
        return list(criteria["exclusions"])
    keys = ["arrest", "declined_contact", "opted_out", "no_phone"]
    for key, old in (("under_18", "exclude_under_18"), ("domestic_abuse",
                                                       "exclude_domestic_abuse"),
                     ("on_duty_officer", "exclude_on_duty_officers")):
        if criteria.get(old):
            keys.append(key)
    if not criteria.get("include_sensitive") and criteria.get("sensitive_categories"):
        keys.append("sensitive_category")
    return keys


def reason_case(criteria: dict[str, Any]) -> tuple[str, list[Any]]:
    """A CASE expression giving the first exclusion a crime falls under (NULL: none), in the
    order of the criteria's list, so each excluded crime is counted once."""
    parts: list[str] = []
    params: list[Any] = []
    for key in keys_of(criteria):
        if key == "sensitive_category":
            categories = [c.lower() for c in criteria.get("sensitive_categories") or []]
            if not categories:
                continue
            parts.append(f"WHEN LOWER(c.offence_category) IN ({', '.join('?' * len(categories))})"
                         " THEN ?")
            params += [*categories, key]
            continue
        parts.append(f"WHEN {exclusion(key).sql} THEN ?")
        params.append(key)
    if not parts:
        return "NULL", []
    return "CASE " + " ".join(parts) + " END", params


def where_not_excluded(criteria: dict[str, Any]) -> tuple[str, list[Any]]:
    case, params = reason_case(criteria)
    return f"({case}) IS NULL", params


def describe(counts: dict[str, int]) -> str:
    """'excluded: 12 declined contact, 3 opted out, 40 no phone' (nothing: 'none excluded')."""
    parts = [f"{n} {label_of(key)}" for key, n in counts.items() if n]
    return "excluded: " + ", ".join(parts) if parts else "none excluded"


def label_of(key: str) -> str:
    return RECONTACT_LABEL if key == RECONTACT else exclusion(key).label


def check_keys(keys: list[str]) -> list[str]:
    """A force's chosen list, refused with a plain reason if it names an unknown rule."""
    if LEGACY_ARREST.key in keys:
        raise ValidationError(
            "Arrest cases cannot be excluded from call-backs or the bureau: the inspection's "
            "arrest rule is about leaving Doorstep cards, and leaving out arrest cases would "
            "raise satisfaction and leave 'told of the arrest' unchecked.")
    unknown = [k for k in keys if k not in EXCLUSIONS]
    if unknown:
        raise ValidationError(f"'{unknown[0]}' is not an exclusion. Choose from: "
                              + ", ".join(EXCLUSIONS) + ".")
    return list(dict.fromkeys(keys))


def set_exclusions(store: Store, actor: Actor, which: str, keys: list[str]) -> list[str]:
    """Change who the sample ('sample') or the bureau's queue ('bureau') leaves out."""
    from qos.roles import Action, require

    require(actor, Action.MANAGE_REFERENCE)
    if which not in SETTING:
        raise ValidationError("Choose the exclusions of the sample or of the bureau.")
    chosen = check_keys(keys)
    store.set_setting(actor, SETTING[which], chosen)
    return chosen
