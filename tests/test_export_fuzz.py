"""Hostile text through the workbook writer: it must always come back as the same text."""
from __future__ import annotations

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qos.excel import set_value

RISKY = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "=cmd|' /C calc'!A0", "@SUM(1)"])
# Characters XML cannot hold, and one it can that lies outside the basic plane.
RISKY_CHARACTERS = st.sampled_from(["\x00", "\x0b", "\ufffe", "\uffff", "\U0001F600", "\t"])
TEXT = st.one_of(
    st.text(max_size=40),
    st.tuples(RISKY, st.text(max_size=20)).map("".join),
    st.tuples(st.text(max_size=10), RISKY_CHARACTERS, st.text(max_size=10)).map("".join),
)


def _xml_char(c: str) -> bool:
    """The Char production of XML 1.0, written out independently of the writer's pattern."""
    code = ord(c)
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=50, max_size=50))
def test_no_string_ever_becomes_a_formula(tmp_path_factory, strings):
    path = tmp_path_factory.mktemp("fuzz") / "f.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    written = {}
    for row, text in enumerate(strings, start=1):
        set_value(sheet.cell(row=row, column=1), text)  # must never raise
        written[row] = "".join(c for c in text if _xml_char(c))  # what XML cannot hold is dropped
    book.save(path)
    back = openpyxl.load_workbook(path).active
    for row, text in written.items():
        cell = back.cell(row=row, column=1)
        assert cell.data_type != "f"
        # XML normalises line endings; nothing else about the text may change.
        assert (cell.value or "") == text.replace("\r\n", "\n").replace("\r", "\n")
