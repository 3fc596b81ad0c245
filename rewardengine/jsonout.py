"""Canonical JSON output: the same data always gives the same bytes."""

from __future__ import annotations

import json
from typing import Any


def canonical_json(data: Any) -> str:
    """Sorted keys, two-space indent, UTF-8 text, a newline at the end. Amounts are already
    strings with two decimals, so no float ever reaches ``json``."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
