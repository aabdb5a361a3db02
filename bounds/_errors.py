"""Error types shared by the whole package."""

from __future__ import annotations

__all__ = ["BadInput", "NotEvaluable", "HypothesisViolated"]


class BadInput(ValueError):
    """An argument is missing, unknown, non-numeric or outside its domain.

    The message always follows ``"{name} ({value}) must be {constraint}."``
    or names the argument in another single sentence. The command line turns
    it into exit code 2.
    """

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class NotEvaluable(BadInput):
    """The registry item has no numeric value (a definition, an assumption, ...)."""


class HypothesisViolated(ValueError):
    """A hypothesis of a theorem does not hold at the given parameters (exit code 3)."""
