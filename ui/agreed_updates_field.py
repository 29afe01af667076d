"""The optional "victim agreed updates every N days" box (2020 Victims' Code), shared by the
call-back and bureau call forms. Blank means the Code's own figure applies."""
from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget

from qos.errors import ValidationError

LABEL = "Victim agreed up&dates every N days (blank: the Code's default)"
# The bureau form has the box on a shared row and must fit a 1280x720 screen
SHORT_LABEL = "Agreed up&dates: every N days"


class AgreedUpdatesField(QLineEdit):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Victim agreed updates every N days")
        self.setPlaceholderText("blank: the Code's default")
        self.setMaxLength(3)

    def days(self) -> int | None:
        """The number typed, None when blank; a plain message for anything else (the store
        checks the range, 1 to 365)."""
        text = self.text().strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(f"'{text}' is not a number of days: type how often the "
                                  "victim agreed to be updated, such as 14, or leave it blank.")
        return int(text)
