"""What the content decides and on what ground: policies, stale periods, the rules table.

``massar content check`` prints these so a deployer sees which rules are the programmes' facts
(a quote from their own documents) and which are a deployer's choice, and which programmes
describe a period that is over.
"""

from __future__ import annotations

from datetime import date

from conversations.content_loader import Content
from conversations.content_schema import Condition, Program, Rule

#: The language of the seeds, and of the table in the README.
TABLE_LANGUAGE = "fr"


def policy_lines(content: Content) -> list[str]:
    """One line per deployer policy, saying whether it is on."""
    lines = []
    for program in content.programs.values():
        for rule in program.eligibility:
            if rule.is_policy:
                state = "ON" if rule.applies else "off"
                lines.append(
                    f"policy: programs/{program.code}.yaml: {rule.id} is a deployer policy, "
                    f"not a programme fact ({state}): {describe(rule.condition)}"
                )
    return lines


def period_warnings(content: Content, today: date) -> list[str]:
    """A warning for each programme whose published period is over."""
    warnings = []
    for program in content.programs.values():
        period = program.period
        if period is not None and period.end is not None and period.end < today:
            taking = "takes" if program.accepts_applications else "does not take"
            warnings.append(
                f"programs/{program.code}.yaml: the period {period.start:%Y-%m} – "
                f"{period.end:%Y-%m} is over, yet the bot {taking} applications: update "
                "'period' with the real dates and 'accepts_applications'"
            )
    return warnings


def describe(condition: Condition) -> str:
    """A condition in plain words, for deployers."""
    if condition.all is not None:
        return " and ".join(f"({describe(c)})" for c in condition.all)
    if condition.any is not None:
        return " or ".join(f"({describe(c)})" for c in condition.any)
    if condition.not_ is not None:
        return f"not ({describe(condition.not_)})"
    name = condition.field or ""
    if condition.in_ is not None:
        return f"{name} in {', '.join(map(str, condition.in_))}"
    if condition.not_in is not None:
        return f"{name} not in {', '.join(map(str, condition.not_in))}"
    if condition.min is not None and condition.max is not None:
        return f"{_number(condition.min)} ≤ {name} ≤ {_number(condition.max)}"
    if condition.min is not None:
        return f"{name} ≥ {_number(condition.min)}"
    if condition.max is not None:
        return f"{name} ≤ {_number(condition.max)}"
    value = condition.equals
    shown = ("yes" if value else "no") if isinstance(value, bool) else value
    return f"{name} = {shown}"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _source(rule: Rule) -> str:
    if rule.is_policy or isinstance(rule.source, str):
        state = "on" if rule.applies else "off"
        return f"deployer policy ({state})"
    return f"« {rule.source.quote} » ({rule.source.seed})"


def rules_table(content: Content) -> str:
    """Per programme, every rule with its source, as Markdown (the README carries it)."""
    parts: list[str] = []
    for program in content.programs.values():
        parts += [f"#### {program.short_name.get(TABLE_LANGUAGE)} (`{program.code}`)", ""]
        parts += ["| rule | decides | source |", "|---|---|---|"]
        for rule in program.eligibility:
            decides = "refuses when false" if rule.applies else "nobody (switched off)"
            parts.append(
                f"| `{rule.id}`: {describe(rule.condition)} | {decides} | {_source(rule)} |"
            )
        for criterion in program.for_staff:
            asked = ", ".join(f"`{a}`" for a in criterion.asked_by)
            parts.append(
                f"| `{criterion.id}`: asked ({asked}) | staff weigh it, never refuses | "
                f"« {criterion.source.quote} » ({criterion.source.seed}) |"
            )
        parts.append(_extras(program))
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def _extras(program: Program) -> str:
    """Currency and period, the other facts a deployer checks."""
    currency = program.currency
    if program.currency_by_country:
        by = ", ".join(f"{c}: {v}" for c, v in program.currency_by_country.items())
        currency = f"by country ({by})"
    text = f"\nCurrency: {currency}."
    if program.period is not None:
        end = f"{program.period.end:%Y-%m}" if program.period.end else "open"
        text += (
            f" Period: {program.period.start:%Y-%m} – {end} "
            f"(« {program.period.source.quote} », {program.period.source.seed})."
        )
    return text
