"""What a reminder says, in the person's language. The wording follows the real dates (a
reminder postponed to the due day says "today"), not only the reminder's kind."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from conversations.i18n import Translator
from conversations.messages import Choice, Outgoing


@lru_cache(maxsize=4096)
def _amount(tr: Translator, minor_units: int, currency: str) -> str:
    """Formatting is the costly part of a reminder, and amounts and dates repeat in a batch."""
    return tr.amount(minor_units, currency)


@lru_cache(maxsize=4096)
def _date(tr: Translator, day: date) -> str:
    return tr.date(day)


def repayment_reminder(
    tr: Translator,
    *,
    reminder_id: int,
    amount_minor: int,
    currency: str,
    due_on: date,
    today: date,
) -> Outgoing:
    """The payment still owed on an installment, and when it is due, with a «paid» button."""
    _ = tr.gettext
    amount = _amount(tr, amount_minor, currency)
    if due_on > today:
        text = _("Reminder: your payment of {amount} is due on {date}.")
    elif due_on == today:
        text = _("Reminder: your payment of {amount} is due today, {date}.")
    else:
        text = _(
            "Your payment of {amount} was due on {date}. Please pay it as soon as you can. "
            "If you have already paid, tell us with the button below."
        )
    return Outgoing(
        text=text.format(amount=amount, date=_date(tr, due_on)),
        language=tr.lang,
        direction=tr.direction,
        kind="reminder",
        choices=(Choice(f"rem.{reminder_id}.paid", _("I have paid")),),
    )


def training_reminder(
    tr: Translator,
    *,
    reminder_id: int,
    title: str,
    location: str,
    starts_local: datetime,
    today: date,
) -> Outgoing:
    """A session coming up, with «I will come» and «I can't come» buttons."""
    _ = tr.gettext
    days = (starts_local.date() - today).days
    if days <= 0:
        text = _("Reminder: your training «{title}» is today ({when}), at {place}. Will you come?")
    elif days == 1:
        text = _(
            "Reminder: your training «{title}» is tomorrow ({when}), at {place}. Will you come?"
        )
    else:
        text = _(
            "Reminder: your training «{title}» is on {date} ({when}), at {place}. Will you come?"
        )
    return Outgoing(
        text=text.format(
            title=title,
            place=location,
            when=tr.weekday_time(starts_local),
            date=tr.date(starts_local.date()),
        ),
        language=tr.lang,
        direction=tr.direction,
        kind="reminder",
        choices=(
            Choice(f"rem.{reminder_id}.coming", _("I will come")),
            Choice(f"rem.{reminder_id}.not_coming", _("I can't come")),
        ),
    )
