"""How messages name what the user may have meant."""

from __future__ import annotations


def test_meant_suggests_one_close_name_and_never_a_tie() -> None:
    from rewardengine.shown import meant
    assert meant("group1", ["group_1", "group_2x"]) == " (did you mean 'group_1'?)"
    assert meant("LONG_TERM", ["long_term", "youth"]) == " (did you mean 'long_term'?)"
    assert meant("member_z", ["member_a", "member_b"]) == ""  # as near to both
    assert meant("bogus", ["hours", "contact"], 0.75) == ""
    assert meant("bogus", ["hours", "contact"]) == " (did you mean 'hours'?)"
    assert meant("x", []) == ""
