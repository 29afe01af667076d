"""Hostile text through the workbook writer: it must always come back as the same text."""
from __future__ import annotations

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from qos.excel import set_value

RISKY = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "=cmd|' /C calc'!A0", "@SUM(1)"])
TEXT = st.one_of(st.text(max_size=40), st.tuples(RISKY, st.text(max_size=20)).map("".join))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=50, max_size=50))
def test_no_string_ever_becomes_a_formula(tmp_path_factory, strings):
    path = tmp_path_factory.mktemp("fuzz") / "f.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    written = {}
    for row, text in enumerate(strings, start=1):
        set_value(sheet.cell(row=row, column=1), text)  # must never raise
        written[row] = ILLEGAL_CHARACTERS_RE.sub("", text)  # control codes are dropped
    book.save(path)
    back = openpyxl.load_workbook(path).active
    for row, text in written.items():
        cell = back.cell(row=row, column=1)
        assert cell.data_type != "f"
        # XML normalises line endings; nothing else about the text may change.
        assert (cell.value or "") == text.replace("\r\n", "\n").replace("\r", "\n")
