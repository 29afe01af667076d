"""Who may do what. The store calls `require` before every action: hiding a button is not enough."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from qos.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    BUREAU = "bureau"
    VOLUNTEER = "volunteer"
    CONTROL_ROOM = "control_room"
    INSPECTORATE = "inspectorate"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.SUPERVISOR: "Supervisor",
    Role.BUREAU: "Contact-bureau staff",
    Role.VOLUNTEER: "Volunteer mystery shopper",
    Role.CONTROL_ROOM: "Control-room staff",
    Role.INSPECTORATE: "Force inspectorate",
}


class Action(StrEnum):
    MANAGE_USERS = "manage user accounts"
    MANAGE_REFERENCE = "change units, people, counters or templates"
    VIEW_REFERENCE = "see units, people and counters"
    IMPORT_CRIMES = "import crime extracts"
    IMPORT_HISTORY = "import old call-back spreadsheets"
    DRAW_SAMPLE = "draw or change a monthly sample"
    RECORD_CALLBACK = "record a QoS call-back"
    VIEW_VICTIM_CONTACT = "see victims' names and phone numbers"
    RECORD_DEBRIEF = "record an officer debrief"
    VIEW_SUMMARY = "see the compliance summary"
    EXPORT_SUMMARY = "export the compliance summary"
    BUREAU_CALL = "log contact-bureau calls"
    MANAGE_DOORSTEP = "issue Doorstep card stock"
    ENTER_DOORSTEP = "key in returned Doorstep cards"
    PLAN_VISITS = "plan mystery-shopping visits"
    RECORD_VISIT = "record a mystery-shopping visit"
    BACKUP = "back up or restore the database"
    VIEW_AUDIT = "read the audit trail"
    LOG_INFORMAL_COMPLAINT = "log an informal complaint or compliment"
    EVALUATE_CALLS = "score control-room calls"
    VIEW_OWN_EVALUATIONS = "see and acknowledge your own call evaluations"
    CHECK_CLOSURES = "check crime closures and record remedies"
    DIP_CHECK = "carry out inspectorate dip checks"
    MANAGE_NP_CARDS = "record NP comment cards and their actions"


_ALL = frozenset(Action)

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: _ALL,
    Role.SUPERVISOR: frozenset({
        Action.VIEW_REFERENCE, Action.IMPORT_CRIMES, Action.IMPORT_HISTORY, Action.DRAW_SAMPLE,
        Action.RECORD_CALLBACK, Action.VIEW_VICTIM_CONTACT, Action.RECORD_DEBRIEF,
        Action.VIEW_SUMMARY, Action.EXPORT_SUMMARY, Action.MANAGE_DOORSTEP,
        Action.ENTER_DOORSTEP, Action.BACKUP,
        Action.LOG_INFORMAL_COMPLAINT, Action.EVALUATE_CALLS, Action.CHECK_CLOSURES,
        Action.MANAGE_NP_CARDS,
    }),
    Role.BUREAU: frozenset({
        Action.VIEW_REFERENCE, Action.BUREAU_CALL, Action.VIEW_VICTIM_CONTACT,
        Action.ENTER_DOORSTEP, Action.VIEW_SUMMARY,
        Action.LOG_INFORMAL_COMPLAINT, Action.MANAGE_NP_CARDS,
    }),
    Role.VOLUNTEER: frozenset({Action.RECORD_VISIT}),
    # Force control room (FCC): takes the public's calls, so logs the informal complaints
    # made on them, and sees (and acknowledges) only their own call evaluations.
    Role.CONTROL_ROOM: frozenset({
        Action.VIEW_REFERENCE, Action.LOG_INFORMAL_COMPLAINT, Action.VIEW_OWN_EVALUATIONS,
    }),
    # Force inspectorate: dip checks, and the summary to read (not to export or change).
    Role.INSPECTORATE: frozenset({
        Action.VIEW_REFERENCE, Action.DIP_CHECK, Action.VIEW_SUMMARY,
        Action.LOG_INFORMAL_COMPLAINT,
    }),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user, passed to every store call that reads or changes data."""

    user_id: int
    username: str
    display_name: str
    role: Role
    unit_id: int | None = None
    # The units whose victim-level data this user may see (a supervisor's responsibility,
    # or the units a bureau serves), set by an administrator; None: their own unit only.
    # Administrators and the inspectorate cover every unit whatever this holds (unit_scope).
    units: frozenset[int] | None = None


def allowed(actor: Actor | Role, action: Action) -> bool:
    role = actor.role if isinstance(actor, Actor) else actor
    return action in PERMISSIONS[role]


def require(actor: Actor, action: Action) -> None:
    if not allowed(actor, action):
        raise PermissionDenied(
            f"{actor.display_name} is signed in as {actor.role.label}, "
            f"who may not {action.value}."
        )


def require_any(actor: Actor, *actions: Action) -> None:
    """For reads several roles need for different work (the due list: call-backs or bureau)."""
    if not any(allowed(actor, action) for action in actions):
        require(actor, actions[0])


def unit_scope(actor: Actor) -> frozenset[int] | None:
    """The unit ids whose victim-level data `actor` may see; None means every unit.

    Aggregate figures (the summary) are not limited by this: only the records behind them.
    """
    if actor.role in (Role.ADMIN, Role.INSPECTORATE):  # the inspectorate checks every unit
        return None
    if actor.units is not None:
        return actor.units
    return frozenset({actor.unit_id}) if actor.unit_id is not None else frozenset()


def covers(actor: Actor, unit_id: int | None) -> bool:
    scope = unit_scope(actor)
    return scope is None or unit_id in scope


def require_unit(actor: Actor, unit_id: int | None, what: str = "records") -> None:
    """Refuse victim-level data of a unit the actor is not responsible for."""
    if not covers(actor, unit_id):
        raise PermissionDenied(
            f"{actor.display_name} is not responsible for the unit these {what} belong to; "
            "an administrator sets which units each supervisor and bureau covers.")


# A system actor for first-run set-up and headless jobs started by an administrator's CLI.
SYSTEM = Actor(user_id=0, username="system", display_name="System", role=Role.ADMIN)
