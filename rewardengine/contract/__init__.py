"""The contract language: pydantic models, loading with line numbers, checks and lint."""
