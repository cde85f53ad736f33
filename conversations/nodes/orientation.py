"""Orientation: every program the person fits, with the reason, and what to do about the rest."""

from __future__ import annotations

from conversations.content_schema import Program
from conversations.labels import named_label
from conversations.matching import Candidate
from conversations.nodes.base import Node
from conversations.nodes.consent import ask_consent, has_consent
from conversations.nodes.profile import continue_profile, profile_complete
from conversations.people import needs_guardian, too_young
from conversations.rules import Verdict, judge
from conversations.turn import Reply, Turn


async def start_orientation(turn: Turn) -> None:
    """Consent first, then the profile questions not yet answered, then the results."""
    if not has_consent(turn):
        await ask_consent(turn, then="orient")
    elif not profile_complete(turn):
        await continue_profile(turn, then=None)
    else:
        await turn.goto("results")


def verdicts(turn: Turn) -> list[Verdict]:
    """Each program's verdict for this person, in the content's order."""
    return [judge(p, turn.conversation.profile) for p in turn.content.programs.values()]


def referrals(turn: Turn, program: Program) -> list[str]:
    """Where else to turn, as fits the person: their country, and whether they came back."""
    profile = turn.conversation.profile
    returned = profile.get("returned_from_abroad") is True
    return [r.text.get(turn.lang) for r in program.referrals_for(profile.get("country"), returned)]


def explain_ineligible(turn: Turn, verdict: Verdict) -> str:
    """The rule that rules the person out, and where else to turn."""
    assert verdict.failed is not None  # noqa: S101 - only called for a failed verdict
    advice = " ".join(referrals(turn, verdict.program)) or turn.gettext(
        "A member of our team can point you to other help: type «human»."
    )
    return turn.gettext("{program}: not for you now, because {reason}. {elsewhere}").format(
        program=turn.text(verdict.program.short_name),
        reason=turn.text(verdict.failed.failed),
        elsewhere=advice,
    )


def _missed(turn: Turn, others: list[Verdict]) -> str:
    """The programs missed, each with its rule, then where else to turn."""
    _ = turn.gettext
    lines = [_("Programs that do not fit you now:")]
    advice: list[str] = []
    for verdict in others:
        assert verdict.failed is not None  # noqa: S101 - ``others`` are the failed verdicts
        lines.append(
            _("• {program}: {reason}.").format(
                program=turn.text(verdict.program.short_name),
                reason=turn.text(verdict.failed.failed),
            )
        )
        advice += [text for text in referrals(turn, verdict.program) if text not in advice]
    if not advice:
        advice.append(_("A member of our team can point you to other help: type «human»."))
    lines += ["", _("Where else you can turn:"), *advice]
    return "\n".join(lines)


def _open(turn: Turn, verdict: Verdict) -> bool:
    """A programme the person may apply to now: eligible, open, and old enough."""
    return (
        verdict.eligible
        and verdict.program.accepts_applications
        and not too_young(turn.people, turn.conversation.profile)
    )


class ResultsNode(Node):
    """The orientation results and the programs to apply to."""

    leads_to = (
        ("form", "apply"),
        ("profile", "change answers"),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        eligible = [v for v in verdicts(turn) if v.eligible]
        apply = [
            Candidate(
                f"apply:{v.program.code}",
                named_label(
                    _("Apply: {program}").format(program=turn.text(v.program.short_name)),
                    turn.text(v.program.short_name),
                    len(eligible) + 2,
                ),
                (v.program.code, *v.program.short_name.all_forms()),
            )
            for v in verdicts(turn)
            if _open(turn, v)
        ]
        return [
            *apply,
            Candidate("update", _("Change my answers")),
            Candidate("menu", _("Main menu")),
        ]

    async def prompt(self, turn: Turn) -> None:
        _ = turn.gettext
        results = verdicts(turn)
        for verdict in results:
            await turn.store.track(stage="profile_done", program=verdict.program.code)
            if verdict.eligible:
                await turn.store.track(stage="eligible", program=verdict.program.code)
        eligible = [v for v in results if v.eligible]
        others = [v for v in results if not v.eligible]
        minors = turn.content.consent.minors
        if too_young(turn.people, turn.conversation.profile):
            age = turn.tr.number(turn.people.min_application_age)
            turn.say(minors.too_young.get(turn.lang).format(age=age))
            turn.ask(_("What would you like to do?"), self.choices(turn))
            return
        if eligible:
            lines = [_("Programs that fit you:")]
            for verdict in eligible:
                reasons = turn.tr.join([turn.text(r.passed) for r in verdict.passed])
                lines.append(
                    _("✅ {program}: because {reasons}.").format(
                        program=turn.text(verdict.program.short_name), reasons=reasons
                    )
                )
                if not verdict.program.accepts_applications:
                    lines.append(_("This program is not taking applications at the moment."))
        else:
            lines = [
                _("No program fits your situation right now. Here is where else you can turn.")
            ]
        if eligible and needs_guardian(turn.conversation.profile):
            lines += ["", minors.guardian_needed.get(turn.lang)]
        turn.say("\n".join(lines))
        if others:
            turn.say(_missed(turn, others))
        turn.ask(_("What would you like to do?"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose one of the options."))
            return
        turn.understood()
        choice = reply.choice.id
        if choice.startswith("apply:"):
            from conversations.nodes.application import start_application

            await start_application(turn, choice.removeprefix("apply:"))
        elif choice == "update":
            turn.conversation.profile = {}
            await continue_profile(turn, then=None)
        else:
            await turn.goto("menu")
