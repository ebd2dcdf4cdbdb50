"""fim-bot: fill the TODOs and stubs of a diff with a fill-in-the-middle code model."""

__version__ = "0.1.0"
