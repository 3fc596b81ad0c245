"""Evaluation: (contract, timeline, as_of) -> auditable lines. Pure: no clock, no I/O."""
