"""A bill's encoding told from its bytes: UTF-32 with its byte-order mark (which begins with
UTF-16-LE's) is read as UTF-32, and a bill of UTF-16 without a mark is told how to save it
(``--encoding`` takes no UTF-16, so it is not offered)."""

from __future__ import annotations

import pytest

from rewardengine.invoicing.billtext import UnreadableBill, bill_text
from rewardengine.tabular import DialectError, text_encoding

TEXT = "customer_id,component,occurrence,date,amount\nD,result,once,2020-05-02,750.00\n"


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_with_its_mark_is_read_as_utf32(codec: str) -> None:
    raw = TEXT.encode(codec)
    if codec != "utf-32":  # the -le/-be codecs write no mark: add the one a program writes
        raw = ("\ufeff" + TEXT).encode(codec)
    read = bill_text(raw, None)
    assert read.text.lstrip("\ufeff") == TEXT
    assert read.read_as == "UTF-32"


def test_utf16_with_its_mark_still_utf16() -> None:
    read = bill_text(TEXT.encode("utf-16"), None)
    assert (read.text, read.read_as) == (TEXT, "UTF-16")


def test_utf16_without_a_mark_is_told_a_way_out() -> None:
    with pytest.raises(UnreadableBill) as exc:
        bill_text(TEXT.encode("utf-16-le"), None)
    assert "--encoding" not in str(exc.value) and "UTF-8" in str(exc.value)
    with pytest.raises(DialectError):  # the option the old hint named is refused
        text_encoding("utf-16-le")
