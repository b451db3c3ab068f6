"""The registry's rules as declared records, and the report every check writes its findings to.

Each rule is declared once, where it is checked, with :func:`declare`: its stable id (it appears in JSON
output and in docs/ipam.md), the levels it reports at, what it checks and why, and the hint shown when a
finding brings none of its own. :data:`RULES` holds every declared rule, in the spirit of checkov's and
prowler's check registries: ``tests/rules/test_catalog.py`` plants a fault for every rule at every level it
declares, and holds docs/ipam.md's rule table to the declarations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from clientctl.errors import Finding, Level
from clientctl.registry.loader import LoadedClient, SourceFile


@dataclass(frozen=True)
class Rule:
    """One registry rule: what it checks (``summary``), why (``source``), and at which levels it reports."""

    id: str
    summary: str
    source: str
    levels: tuple[Level, ...] = ("error",)
    hint: str | None = None

    @property
    def level(self) -> Level:
        """The level a finding of this rule has unless the check says otherwise."""
        return self.levels[0]


RULES: dict[str, Rule] = {}


def declare(
    rule_id: str, summary: str, *, source: str, levels: tuple[Level, ...] = ("error",), hint: str | None = None
) -> Rule:
    """Declare a rule (once: a second declaration of the same id is a programming error)."""
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id} is declared twice")
    rule = Rule(rule_id, summary, source, levels, hint)
    RULES[rule_id] = rule
    return rule


@dataclass
class Report:
    """The findings of one run of the rules, in the order they were found."""

    findings: list[Finding] = field(default_factory=list)

    def add(
        self,
        rule: Rule,
        source: SourceFile,
        path: Sequence[str | int],
        message: str,
        *,
        value: Any = None,
        hint: str | None = None,
        level: Level | None = None,
        client: str | None = None,
    ) -> None:
        """Record a finding of ``rule`` at ``path`` inside ``source`` (file, line and field filled in)."""
        level = level or rule.level
        if level not in rule.levels:
            raise ValueError(f"rule {rule.id} is declared with levels {rule.levels}, not {level}")
        self.findings.append(
            Finding(
                rule=rule.id,
                message=message,
                level=level,
                file=source.display,
                line=source.line(path),
                field=".".join(str(p) for p in path) or None,
                value=None if value is None else str(value),
                hint=hint or rule.hint,
                client=client,
            )
        )

    def on(
        self,
        client: LoadedClient,
        rule: Rule,
        path: Sequence[str | int],
        message: str,
        *,
        value: Any = None,
        hint: str | None = None,
        level: Level | None = None,
    ) -> None:
        """Record a finding of ``rule`` at ``path`` in ``client``'s file."""
        self.add(rule, client.source, path, message, value=value, hint=hint, level=level, client=client.name)
