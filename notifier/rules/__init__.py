"""Rules: what a rule looks for, and where its matches go."""

from notifier.rules.model import FIELDS, Location, Rule, Term

__all__ = ["FIELDS", "Location", "Rule", "Term"]
