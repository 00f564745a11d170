"""Kept for the modules not yet moved to `tenantlint.rules` (config, report, sarif): the rules
live in `tenantlint/rules/`, one module per code. Import from there; delete this at merge."""

from __future__ import annotations

from tenantlint.rules import Rule, is_known_selector

__all__ = ["RULES", "Rule", "is_known_selector"]


def __getattr__(name: str):
    if name == "RULES":  # built on first use, like `tenantlint.rules.RULES`
        from tenantlint.rules import all_rules

        return all_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
