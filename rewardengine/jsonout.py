"""Canonical JSON output: the same data always gives the same bytes."""

from __future__ import annotations

import json
from typing import Any

from .printable import json_escaped


def canonical_json(data: Any) -> str:
    """Sorted keys, two-space indent, UTF-8 text, a newline at the end. Amounts are already
    strings with two decimals, so no float ever reaches ``json``. Characters that would act
    on a terminal (C1 controls, bidirectional overrides) are written as ``\\u`` escapes."""
    return json_escaped(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
