"""rewardengine: executable outcome-based payment contracts for employment services."""

__version__ = "0.1.0"
