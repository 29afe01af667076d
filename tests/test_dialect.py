"""What the dialect module answers."""
from __future__ import annotations

import pytest


@pytest.mark.sqlite_only
def test_columns_are_listed_in_order_with_their_types(store):
    listed = store.conn.execute(store.dialect.columns_sql("callbacks")).fetchall()
    selected = store.conn.execute("SELECT * FROM callbacks LIMIT 0").description
    assert [str(c[1]) for c in listed] == [d[0] for d in selected]
    types = {str(c[1]): str(c[2]).upper() for c in listed}
    assert "INT" in types["crime_id"] and "TEXT" in types["uuid"]

