"""Admin: units, people who are checked, front counters, user accounts, templates."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from qos.roles import ROLE_LABELS, Action, Actor, Role, allowed
from qos.store import reference, users
from qos.store.core import Store
from qos.templates import load_template, scenario_bank
from ui.exclusions_panel import ExclusionsPanel
from ui.import_dialog import ImportDialog
from ui.record_dialog import FormField
from ui.record_list import RecordList
from ui.tab_keys import walk_tabs_by_keyboard
from ui.table_model import yes_no
from ui.units_covered_dialog import UnitsCoveredDialog, covered_text, sees_every_unit
from ui.widgets import title_label

ACTIVE = {"active": yes_no}


class AdminPage(QWidget):
    title = "Admin"

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Admin sections")
        self.units = self._units_tab()
        self.people = self._people_tab()
        self.counters = self._counters_tab()
        if not allowed(actor, Action.MANAGE_REFERENCE):
            for tab in (self.units, self.people, self.counters):
                tab.make_read_only()  # buttons that would only fail on Save are not shown
        self.tabs.addTab(self.units, "&Units")
        self.tabs.addTab(self.people, "&People")
        self.tabs.addTab(self.counters, "&Front counters")
        if allowed(actor, Action.MANAGE_USERS):
            self.users = self._users_tab()
            self.tabs.addTab(self.users, "User a&ccounts")
        if allowed(actor, Action.MANAGE_REFERENCE):
            self.exclusions = ExclusionsPanel(store, actor)
            self.tabs.addTab(self.exclusions, "E&xclusions")
        self.templates = QPlainTextEdit()
        self.templates.setReadOnly(True)
        self.templates.setAccessibleName("Question templates and scenario bank")
        self.tabs.addTab(self.templates, "&Templates")
        walk_tabs_by_keyboard(self.tabs)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Admin"))
        layout.addWidget(self.tabs)

    def focus_main_work(self) -> None:
        self.units.view.setFocus()

    def refresh(self) -> None:
        for tab in (self.units, self.people, self.counters, getattr(self, "users", None),
                    getattr(self, "exclusions", None)):
            if tab is not None:
                tab.refresh()
        self.templates.setPlainText(_templates_text())

    # -- tabs -----------------------------------------------------------------------------
    def _unit_choices(self) -> list[tuple[Any, str]]:
        return [(u["id"], f"{u['code']} - {u['name']}")
                for u in reference.list_units(self.store, self.actor)]

    def _units_tab(self) -> RecordList:
        store, actor = self.store, self.actor
        fields = lambda: [
            FormField("code", "Code", hint="A short code such as NOR"),
            FormField("name", "Name"),
            FormField("kind", "Kind", "choice", [("BCU", "BCU (an area)"),
                                                 ("department", "Department")]),
            FormField("monthly_target", "QoS checks a month", "int", maximum=10000,
                      default=50),
        ]
        return RecordList(
            "unit", [("code", "Code"), ("name", "Name"), ("kind", "Kind"),
                     ("monthly_target", "Checks a month"), ("active", "Active")],
            lambda inactive: reference.list_units(store, self.actor,
                                                  include_inactive=inactive), fields,
            lambda v: reference.add_unit(store, actor, v["code"], v["name"], v["kind"],
                                         v["monthly_target"]),
            lambda row, v: reference.edit_unit(store, actor, row["id"], row["version"], **v),
            lambda row, on: reference.set_active(store, actor, "units", row["id"],
                                                 row["version"], on),
            ACTIVE)

    def _people_tab(self) -> RecordList:
        store, actor = self.store, self.actor

        def fields() -> list[FormField]:
            managers = [(None, "(none)")] + [
                (p["id"], f"{p['name']} ({p['staff_number']})")
                for p in reference.list_people(store, self.actor)]
            return [
                FormField("staff_number", "Collar or staff number"),
                FormField("name", "Name"),
                FormField("role_type", "Type", "choice",
                          [(t, t) for t in reference.PERSON_TYPES]),
                FormField("unit_id", "Unit", "choice", self._unit_choices()),
                FormField("line_manager_id", "Line manager", "choice", managers),
            ]

        tab = RecordList(
            "person", [("staff_number", "Number"), ("name", "Name"), ("role_type", "Type"),
                       ("unit_code", "Unit"), ("manager_name", "Line manager"),
                       ("active", "Active")],
            lambda inactive: reference.list_people(store, self.actor,
                                                   include_inactive=inactive), fields,
            lambda v: reference.add_person(store, actor, v["staff_number"], v["name"],
                                           v["role_type"], v["unit_id"], v["line_manager_id"]),
            lambda row, v: reference.edit_person(store, actor, row["id"], row["version"], **v),
            lambda row, on: reference.set_active(store, actor, "people", row["id"],
                                                 row["version"], on),
            ACTIVE)
        tab.add_button_widget("I&mport people...", self.import_people)
        return tab

    def import_people(self) -> None:
        actor = self.actor
        dialog = ImportDialog(
            "Import people",
            "A CSV or Excel file with columns: Collar or staff number, Name, Type (officer, "
            "PCSO or staff), Unit code, and optionally Line manager number.",
            self.store, actor, "people", reference.PEOPLE_FIELDS,
            lambda store, table, strict, mapping, progress: reference.import_people(
                store, actor, table, all_or_nothing=strict, mapping=mapping), self)
        dialog.exec()
        self.people.refresh()

    def _counters_tab(self) -> RecordList:
        store, actor = self.store, self.actor
        fields = lambda: [
            FormField("name", "Station name"),
            FormField("unit_id", "Unit", "choice", self._unit_choices()),
            FormField("hours_text", "Opening hours",
                      hint="For example: mon-fri 08:00-20:00; sat 09:00-17:00"),
        ]
        return RecordList(
            "front counter", [("name", "Station"), ("unit_code", "Unit"),
                              ("hours_text", "Published opening hours"), ("active", "Active")],
            lambda inactive: reference.list_counters(store, self.actor,
                                                     include_inactive=inactive), fields,
            lambda v: reference.add_counter(store, actor, v["name"], v["unit_id"],
                                            v["hours_text"]),
            lambda row, v: reference.edit_counter(store, actor, row["id"], row["version"], **v),
            lambda row, on: reference.set_active(store, actor, "counters", row["id"],
                                                 row["version"], on),
            ACTIVE)

    def _users_tab(self) -> RecordList:
        store, actor = self.store, self.actor
        roles = [(r.value, ROLE_LABELS[r]) for r in Role]

        def fields() -> list[FormField]:
            return [
                FormField("username", "User name"),
                FormField("display_name", "Name shown"),
                FormField("role", "Role", "choice", roles),
                FormField("unit_id", "Unit (supervisors)", "choice",
                          [(None, "(none)")] + self._unit_choices()),
            ]

        def add_fields() -> list[FormField]:
            return [*fields(), FormField("password", "Password", "password",
                                         hint="At least 8 characters")]

        def listed(inactive: bool) -> list[dict[str, Any]]:
            codes = {u["id"]: u["code"] for u in reference.list_units(store, actor)}
            return [{**u, "covered": covered_text(u, codes)}
                    for u in users.list_users(store, actor) if inactive or u["active"]]

        tab = RecordList(
            "user", [("username", "User name"), ("display_name", "Name"), ("role", "Role"),
                     ("unit_code", "Unit"), ("covered", "Units covered"),
                     ("last_login_at", "Last signed in"), ("active", "Active")],
            listed, fields,
            None,
            lambda row, v: users.edit_user(store, actor, row["id"], row["version"], **v),
            lambda row, on: users.edit_user(store, actor, row["id"], row["version"],
                                            active=int(on)),
            {"active": yes_no, "role": lambda r: ROLE_LABELS[Role(r)]})
        tab.add_button_widget("&Add user...", lambda: self._add_user(tab, add_fields))
        tab.add_button_widget("Set pass&word...", lambda: self._set_password(tab))
        tab.add_button_widget("Units co&vered...", lambda: self._set_units_covered(tab))
        return tab

    def _set_units_covered(self, tab: RecordList) -> None:
        """Which units' victims the selected supervisor or bureau user may see."""
        row = tab.selected()
        if row is None:
            return
        if sees_every_unit(row):
            QMessageBox.information(self, "Units covered", (
                f"{row['display_name']} has the role {ROLE_LABELS[Role(row['role'])]}, which "
                "sees every unit's records. Units are set for supervisors and bureau staff."))
            return
        dialog = UnitsCoveredDialog(self.store, self.actor, row,
                                    reference.list_units(self.store, self.actor), self)
        if dialog.exec():
            tab.refresh()

    def _add_user(self, tab: RecordList, fields: Any) -> None:
        from ui.record_dialog import RecordDialog

        store, actor = self.store, self.actor
        dialog = RecordDialog("Add user", fields(), {"role": "supervisor"},
                              lambda v: users.create_user(store, actor, v["username"],
                                                          v["display_name"], v["role"],
                                                          v["password"], unit_id=v["unit_id"]),
                              self)
        if dialog.exec():
            tab.refresh()

    def _set_password(self, tab: RecordList) -> None:
        from ui.record_dialog import RecordDialog

        row = tab.selected()
        if row is None:
            return
        store, actor = self.store, self.actor
        RecordDialog(f"New password for {row['username']}",
                     [FormField("password", "New password", "password")], {},
                     lambda v: users.set_password(store, actor, row["id"], v["password"]),
                     self).exec()


def _templates_text() -> str:
    template = load_template("callback")
    lines = [f"{template.title} (version {template.version})", ""]
    for section, questions in template.sections:
        lines.append(section)
        lines += [f"  - {q.text}" for q in questions]
    bank = scenario_bank()
    lines += ["", f"{bank['title']} (version {bank['version']})"]
    for scenario in bank["scenarios"]:
        lines.append(f"  {scenario['title']}: {len(scenario['checklist'])} checklist items")
    lines += ["", ("Templates are versioned files under resources/. A new version applies to new "
                  "records; answers already given stay under the version they were asked with.")]
    return "\n".join(lines)
