"""First run: the force's name, its units and the first administrator account."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from qos.errors import QosError
from qos.passwords import password_problem
from qos.roles import Actor
from qos.store.core import Store
from qos.store.users import setup_force
from ui.style import set_role
from ui.widgets import hint_label

DEFAULT_UNITS = [("NOR", "North Division", "BCU"), ("SOU", "South Division", "BCU")]


class _ForcePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Your force")
        self.setSubTitle("QoS Checks keeps one database per force. What is the force called?")
        self.name = QLineEdit()
        self.name.setAccessibleName("Force name")
        self.name.setPlaceholderText("e.g. Kent Police")
        form = QFormLayout(self)
        label = QLabel("&Force name:")
        label.setBuddy(self.name)
        form.addRow(label, self.name)
        self.registerField("force_name*", self.name)


class _UnitsPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Units")
        self.setSubTitle("List the BCUs and departments that must each do their monthly QoS "
                         "checks. You can add more, or change them, later under Admin.")
        self.table = QTableWidget(0, 4)
        set_role(self.table, "table")
        self.table.setAccessibleName("Units")
        self.table.setHorizontalHeaderLabels(["Code", "Name", "Kind", "Checks a month"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(90)
        self.table.verticalHeader().setDefaultSectionSize(34)  # room for the boxes' frames
        for code, name, kind in DEFAULT_UNITS:
            self.add_row(code, name, kind)
        add = QPushButton("&Add a unit")
        add.clicked.connect(self.add_unit)
        remove = QPushButton("&Remove the selected unit")
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        self.error = QLabel("")
        set_role(self.error, "error")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(add)
        layout.addWidget(remove)
        layout.addWidget(self.error)

    def add_unit(self) -> None:
        """A new row, with the cursor in its code cell ready to type."""
        self.add_row("", "", "BCU")
        row = self.table.rowCount() - 1
        self.table.setFocus()
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))

    def add_row(self, code: str, name: str, kind: str) -> None:
        from PySide6.QtWidgets import QTableWidgetItem

        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(code))
        self.table.setItem(row, 1, QTableWidgetItem(name))
        combo = QComboBox()
        combo.addItems(["BCU", "department"])
        combo.setCurrentText(kind)
        combo.setAccessibleName("Kind of unit")
        self.table.setCellWidget(row, 2, combo)
        target = QSpinBox()
        target.setRange(0, 10000)
        target.setValue(50)
        target.setAccessibleName("Checks a month")
        self.table.setCellWidget(row, 3, target)

    def units(self) -> list[dict[str, object]]:
        result = []
        for row in range(self.table.rowCount()):
            code_item, name_item = self.table.item(row, 0), self.table.item(row, 1)
            code = code_item.text().strip() if code_item else ""
            name = name_item.text().strip() if name_item else ""
            if not code and not name:
                continue
            kind = self.table.cellWidget(row, 2)
            target = self.table.cellWidget(row, 3)
            assert isinstance(kind, QComboBox) and isinstance(target, QSpinBox)
            result.append({"code": code, "name": name, "kind": kind.currentText(),
                           "monthly_target": target.value()})
        return result

    def validatePage(self) -> bool:
        units = self.units()
        if not units:
            self.error.setText("Add at least one unit.")
            return False
        if any(not u["code"] or not u["name"] for u in units):
            self.error.setText("Every unit needs both a code and a name.")
            return False
        codes = [str(u["code"]).upper() for u in units]
        if len(set(codes)) != len(codes):
            self.error.setText("Two units have the same code.")
            return False
        self.error.setText("")
        return True


class _AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("First administrator")
        self.setSubTitle("This account sets up the others. Keep its password safe.")
        self.username = QLineEdit("admin")
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.confirm = QLineEdit()
        for editor, name in ((self.username, "User name"), (self.display_name, "Your name"),
                             (self.password, "Password"), (self.confirm, "Password again")):
            editor.setAccessibleName(name)
        for editor in (self.password, self.confirm):
            editor.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        for text, editor in (("&User name:", self.username), ("Your &name:", self.display_name),
                             ("&Password:", self.password), ("Password &again:", self.confirm)):
            label = QLabel(text)
            label.setBuddy(editor)
            form.addRow(label, editor)
        form.addRow(hint_label("At least 8 characters."))
        form.addRow(self.error)

    def validatePage(self) -> bool:
        problem = password_problem(self.password.text())
        if not self.username.text().strip() or not self.display_name.text().strip():
            problem = "Please give a user name and your name."
        elif self.password.text() != self.confirm.text():
            problem = "The two passwords are not the same."
        self.error.setText(problem or "")
        return problem is None


class FirstRunWizard(QWizard):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.actor: Actor | None = None
        self.setWindowTitle("Set up QoS Checks")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(640, 460)
        self.force_page = _ForcePage()
        self.units_page = _UnitsPage()
        self.admin_page = _AdminPage()
        for page in (self.force_page, self.units_page, self.admin_page):
            self.addPage(page)

    def accept(self) -> None:
        # Finish normally validates the page first, but accept() can also be reached directly.
        if not self.admin_page.validatePage():
            return
        try:
            self.actor = setup_force(
                self.store, self.force_page.name.text(), self.units_page.units(),
                self.admin_page.username.text(), self.admin_page.display_name.text(),
                self.admin_page.password.text())
        except QosError as exc:
            self.admin_page.error.setText(str(exc))
            return
        super().accept()


__all__ = ["FirstRunWizard", "QWidget"]
