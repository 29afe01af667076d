"""Sign in. The same words for an unknown name and a wrong password."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from qos.errors import AuthError
from qos.roles import Actor
from qos.store.core import Store
from qos.store.users import sign_in
from ui.style import set_role
from ui.widgets import hint_label, title_label


class LoginDialog(QDialog):
    def __init__(self, store: Store, force_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.actor: Actor | None = None
        self.setWindowTitle("Sign in - QoS Checks")
        self.setMinimumWidth(420)
        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.error = QLabel("")
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        form = QFormLayout()
        user_label = QLabel("&User name:")
        user_label.setBuddy(self.username)
        pass_label = QLabel("&Password:")
        pass_label.setBuddy(self.password)
        form.addRow(user_label, self.username)
        form.addRow(pass_label, self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(force_name or "QoS Checks"))
        layout.addWidget(hint_label("Sign in with your QoS Checks user name and password."))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.username.setFocus()

    def try_sign_in(self) -> None:
        try:
            self.actor = sign_in(self.store, self.username.text(), self.password.text())
        except AuthError as exc:
            self.error.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
