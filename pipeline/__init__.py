"""film: turn a written film into a finished cut with one command."""

__version__ = "0.1.0"
