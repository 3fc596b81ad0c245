"""Forecasts: what a contract will pay, to whom and when (docs/forecast.md)."""
