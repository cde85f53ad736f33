"""The main menu, the awareness library and the program pages: no personal data here."""

from __future__ import annotations

from conversations.content_schema import Article, Program
from conversations.matching import Candidate
from conversations.nodes.base import Node
from conversations.paging import MESSAGE_LIMIT, split_message
from conversations.turn import Reply, Turn


class MenuNode(Node):
    """The main menu: what the bot can do."""

    leads_to = (
        ("learn", ""),
        ("programs", ""),
        ("consent", "programs for me, before consent"),
        ("profile", "programs for me"),
        ("results", "programs for me, profile answered"),
        ("apply_pick", "apply"),
        ("trainings", ""),
        ("language", ""),
        ("mydata", ""),
        ("link", "use my other account"),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        return [
            Candidate("learn", _("Learn: ESS and rights")),
            Candidate("programs", _("Our programs")),
            Candidate("orient", _("Programs for me")),
            Candidate("apply", _("Apply")),
            Candidate("mine", _("My applications")),
            Candidate("payment", _("Next payment")),
            Candidate("trainings", _("Trainings")),
            Candidate("human", _("Talk to a person")),
            Candidate("language", _("Language")),
            Candidate("mydata", _("My data")),
            Candidate("link", _("Use my other account")),
        ]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(
            turn.gettext("What would you like to do? Tap a button or type its number."),
            self.choices(turn),
        )

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Sorry, I did not understand."))
            return
        turn.understood()
        action = reply.choice.id
        if action == "mine":
            await show_applications(turn)
            await turn.reprompt()
        elif action == "payment":
            await show_next_payment(turn)
            await turn.reprompt()
        elif action == "human":
            await request_human(turn)
        elif action == "language":
            await turn.goto("language", back={"node": "menu", "params": {}})
        elif action == "orient":
            from conversations.nodes.orientation import start_orientation

            await start_orientation(turn)
        elif action == "apply":
            await turn.goto("apply_pick")
        elif action == "link":
            from conversations.nodes.link import open_linking

            await open_linking(turn)
        else:
            await turn.goto(action)


async def show_applications(turn: Turn) -> None:
    """Say the status of each of the person's applications."""
    _ = turn.gettext
    applications = await turn.store.list_applications()
    if not applications:
        turn.say(_("You have not sent any application yet."))
        return
    lines = [_("Your applications:")]
    for app in applications:
        program = turn.content.programs.get(app.program)
        name = turn.text(program.short_name) if program else app.program
        lines.append(
            _("• {reference} — {program}: {status} (sent on {date})").format(
                reference=app.reference,
                program=name,
                status=status_label(turn, app.status),
                date=turn.tr.date(app.submitted_at.date()),
            )
        )
    turn.say("\n".join(lines))


async def show_next_payment(turn: Turn) -> None:
    """Say the amount and date of the person's next installment."""
    _ = turn.gettext
    payment = await turn.store.next_payment()
    if payment is None:
        turn.say(_("You have no payment to make."))
        return
    amount = turn.tr.amount(payment.amount_minor, payment.currency)
    when = turn.tr.date(payment.due_on)
    if payment.days_late > 0:
        turn.say(
            _("Your next payment: {amount}, due on {date}, which is {days} days ago.").format(
                amount=amount, date=when, days=turn.tr.number(payment.days_late)
            )
        )
    else:
        turn.say(_("Your next payment: {amount}, due on {date}.").format(amount=amount, date=when))


def status_label(turn: Turn, status: str) -> str:
    """An application status in the person's words."""
    _ = turn.gettext
    labels = {
        "submitted": _("received, waiting for review"),
        "under_review": _("being reviewed"),
        "accepted": _("accepted"),
        "rejected": _("not accepted"),
        "waitlisted": _("on the waiting list"),
        "needs_info": _("we need more information"),
        "withdrawn": _("withdrawn"),
    }
    return labels.get(status, status)


async def request_human(turn: Turn, reason: str = "requested") -> None:
    """Open a handoff request and tell the person what happens next, and when."""
    _ = turn.gettext
    if turn.conversation.case_open:
        turn.say(_("Your conversation with our team is open: they will answer you here."))
        return
    await turn.store.request_handoff(reason=reason)
    turn.conversation.case_open = True
    lines = [
        _(
            "Your request is recorded: a member of our team will answer you here. Until then, "
            "your messages go to them."
        )
    ]
    hours = turn.office_hours
    if hours is not None:
        from conversations.nodes.handoff import away_line

        away = away_line(turn)  # also remembered, so the next message is not told again
        lines.append(away or _("Our team is at work now: expect an answer soon."))
    turn.say("\n".join(lines))


class LearnNode(Node):
    """The list of awareness articles."""

    leads_to = (
        ("article", ""),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        articles = [
            Candidate(a.id, turn.text(a.title), a.title.all_forms())
            for a in turn.content.awareness.articles
        ]
        return [*articles, Candidate("menu", turn.gettext("Main menu"))]

    async def prompt(self, turn: Turn) -> None:
        turn.ask(turn.gettext("What would you like to read about?"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose a topic from the list."))
        elif reply.choice.id == "menu":
            await turn.goto("menu")
        else:
            turn.understood()
            await turn.goto("article", id=reply.choice.id)


def pages_of(turn: Turn, text: str) -> tuple[str, bool]:
    """The page of a long text the person is at, and whether more follows: a programme page or
    an article over :data:`MESSAGE_LIMIT` characters is read in «More» steps."""
    pages = split_message(text, MESSAGE_LIMIT)
    page = min(int(turn.conversation.params.get("page", 0)), len(pages) - 1)
    return pages[page], page < len(pages) - 1


def more_choice(turn: Turn) -> Candidate:
    """The «More» button of a long text."""
    return Candidate("more", turn.gettext("More"), ("+", "suite", "mais", "المزيد"))


async def next_page(turn: Turn) -> None:
    """Show the next page of the text the person is reading."""
    params = dict(turn.conversation.params)
    params["page"] = int(params.get("page", 0)) + 1
    await turn.goto(turn.conversation.node, **params)


class ArticleNode(Node):
    """One awareness article, in pages when long, then where to go next."""

    def _article(self, turn: Turn) -> Article | None:
        article_id = turn.conversation.params.get("id")
        return next((a for a in turn.content.awareness.articles if a.id == article_id), None)

    def _text(self, turn: Turn, article: Article) -> str:
        return f"{turn.text(article.title)}\n\n{turn.text(article.body)}"

    leads_to = (
        ("learn", ""),
        ("results", "via orientation"),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        links = [
            Candidate("learn", _("Other topics")),
            Candidate("orient", _("Programs for me")),
            Candidate("menu", _("Main menu")),
        ]
        article = self._article(turn)
        if article and pages_of(turn, self._text(turn, article))[1]:
            return [more_choice(turn), *links]
        return links

    async def prompt(self, turn: Turn) -> None:
        article = self._article(turn)
        if article is None:
            await turn.goto("learn")
            return
        page, more = pages_of(turn, self._text(turn, article))
        if more:
            turn.ask(page, self.choices(turn))
            return
        turn.say(page)
        turn.ask(turn.gettext("What next?"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is not None and reply.choice.id == "more":
            turn.understood()
            await next_page(turn)
            return
        await follow_link(turn, reply)

    async def back(self, turn: Turn) -> None:
        await turn.goto("learn")


async def follow_link(turn: Turn, reply: Reply) -> None:
    """Handle the "what next" buttons shared by articles and program pages."""
    if reply.choice is None:
        await turn.not_understood(turn.gettext("Please choose one of the options."))
        return
    turn.understood()
    target = reply.choice.id
    if target == "orient":
        from conversations.nodes.orientation import start_orientation

        await start_orientation(turn)
    elif target.startswith("apply:"):
        from conversations.nodes.application import start_application

        await start_application(turn, target.removeprefix("apply:"))
    else:
        await turn.goto(target)


class ProgramsNode(Node):
    """The list of programs."""

    leads_to = (
        ("program", ""),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        programs = [
            Candidate(p.code, turn.text(p.short_name), (p.code, *p.short_name.all_forms()))
            for p in turn.content.programs.values()
        ]
        return [*programs, Candidate("menu", turn.gettext("Main menu"))]

    async def prompt(self, turn: Turn) -> None:
        lines = [turn.gettext("Our programs:")]
        for program in turn.content.programs.values():
            lines.append(f"• {turn.text(program.short_name)}: {turn.text(program.summary)}")
        turn.say("\n".join(lines))
        turn.ask(turn.gettext("Which one would you like to know more about?"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is None:
            await turn.not_understood(turn.gettext("Please choose a program from the list."))
        elif reply.choice.id == "menu":
            await turn.goto("menu")
        else:
            turn.understood()
            await turn.goto("program", code=reply.choice.id)


class ProgramNode(Node):
    """One program's page, in pages when long."""

    def _text(self, turn: Turn, program: Program) -> str:
        return f"{turn.text(program.name)}\n\n{turn.text(program.details)}"

    leads_to = (
        ("form", "via start_application"),
        ("results", ""),
        ("programs", ""),
        ("menu", ""),
    )

    def choices(self, turn: Turn) -> list[Candidate]:
        _ = turn.gettext
        code = turn.conversation.params.get("code", "")
        links = [
            Candidate(f"apply:{code}", _("Apply to this program")),
            Candidate("orient", _("Programs for me")),
            Candidate("programs", _("All programs")),
            Candidate("menu", _("Main menu")),
        ]
        program = turn.content.programs.get(code)
        if program and pages_of(turn, self._text(turn, program))[1]:
            return [more_choice(turn), *links]
        return links

    async def prompt(self, turn: Turn) -> None:
        program = turn.content.programs.get(turn.conversation.params.get("code", ""))
        if program is None:
            await turn.goto("programs")
            return
        page, more = pages_of(turn, self._text(turn, program))
        if more:
            turn.ask(page, self.choices(turn))
            return
        turn.say(page)
        turn.ask(turn.gettext("What next?"), self.choices(turn))

    async def receive(self, turn: Turn, reply: Reply) -> None:
        if reply.choice is not None and reply.choice.id == "more":
            turn.understood()
            await next_page(turn)
            return
        await follow_link(turn, reply)

    async def back(self, turn: Turn) -> None:
        await turn.goto("programs")
