"""Rules: what a rule looks for, and where its matches go."""

from notifier.rules.expr import ExprError, format_expr, parse_expr
from notifier.rules.frequency import load_frequency_words, parse_frequency_words
from notifier.rules.model import FIELDS, Location, Rule, Term

__all__ = [
    "FIELDS",
    "ExprError",
    "Location",
    "Rule",
    "Term",
    "format_expr",
    "load_frequency_words",
    "parse_expr",
    "parse_frequency_words",
]
