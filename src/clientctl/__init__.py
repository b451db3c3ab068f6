"""clientctl: one registry of clients, one isolated AWS stack per client."""

__version__ = "0.1.0"
