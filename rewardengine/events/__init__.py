"""Customer event data: typed events, CSV / JSON Lines readers, and timelines as of a date."""
