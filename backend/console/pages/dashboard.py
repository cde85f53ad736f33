"""The dashboard: the funnel per programme (contacted to accepted), open cases and the median
first-response time, training attendance, and the follow-up indicators by gender, age band and
governorate or country. Charts are drawn by the server (:mod:`backend.console.charts`), and each
has its numbers in a table beside it for screen readers and for copying.

Figures come from the services the API's statistics use, limited to one's programmes; they
hold counts only, no person, so the page is not audited (as ``GET /api/v1/stats``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from babel.dates import format_timedelta
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from backend.app.deps import SessionDep
from backend.console.auth import ConsoleStaff
from backend.console.charts import Series, bar_chart
from backend.console.pages.forms import runtime_of, translator_of
from backend.console.render import render
from backend.stats import dashboard
from backend.surveys.service import Indicators
from backend.trainings.attendance import attendance_figures
from conversations.content_loader import Content
from conversations.i18n import FORMAT_LOCALES, Translator

router = APIRouter()


@dataclass(frozen=True)
class Breakdown:
    """One dimension of the indicators: its chart and its rows, each with its group's name."""

    key: str
    title: str
    chart: Markup
    rows: list[tuple[str, Indicators]]


def stage_labels(tr: Translator) -> dict[str, str]:
    """The funnel's stages as staff read them."""
    _ = tr.gettext
    return {
        "contacted": _("Contacted"),
        "consented": _("Consented"),
        "profiled": _("Profile done"),
        "eligible": _("Eligible"),
        "applied": _("Applied"),
        "accepted": _("Were accepted"),
    }


def group_label(content: Content, tr: Translator, dimension: str, group: str) -> str:
    """A group's name: the profile option's label in the viewer's language when it has one."""
    if group == dashboard.UNKNOWN:
        return tr.gettext("Not known")
    questions = ("gender",) if dimension == "gender" else ("governorate", "country")
    for question_id in questions if dimension != "age_band" else ():
        question = content.profile_question(question_id)
        for option in question.options if question is not None else []:
            if option.id == group:
                return option.label.get(tr.lang)
    return group


def waited(seconds: float | None, tr: Translator) -> str:
    """A median wait in words (``12 minutes``), or a dash."""
    if seconds is None:
        return "–"
    return format_timedelta(
        timedelta(seconds=seconds), threshold=1.2, locale=FORMAT_LOCALES[tr.lang]
    )


async def _breakdowns(
    session: SessionDep, content: Content, tr: Translator, programs: list[str]
) -> list[Breakdown]:
    _ = tr.gettext
    titles = {
        "gender": _("By gender"),
        "age_band": _("By age band"),
        "place": _("By governorate or country"),
    }
    found = []
    for key, title in titles.items():
        rows = await dashboard.indicators_by(session, programs=programs, dimension=key)  # type: ignore[arg-type]
        named = [(group_label(content, tr, key, r.program), r) for r in rows]
        chart = bar_chart(
            title=_("Follow-up indicators") + " · " + title,
            description=_("Survey responses and jobs created, per group."),
            categories=[name for name, _row in named],
            series=[
                Series(_("Responses"), [r.responses for _n, r in named]),
                Series(_("Jobs created"), [r.jobs_created for _n, r in named]),
            ],
            chart_id=f"indicators-{key}",
            rtl=tr.direction == "rtl",
            fmt=tr.number,
        )
        found.append(Breakdown(key, title, chart, named))
    return found


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(
    request: Request, session: SessionDep, principal: ConsoleStaff
) -> HTMLResponse:
    """Every figure of one's programmes, as charts and as tables."""
    runtime, tr = runtime_of(request), translator_of(request)
    _ = tr.gettext
    rtl = tr.direction == "rtl"
    funnels, overall = await dashboard.funnels(
        session, principal=principal, programs=list(runtime.content.programs)
    )
    mine = [f.program for f in funnels]
    stages = stage_labels(tr)
    funnel_chart = bar_chart(
        title=_("Funnel per programme"),
        description=_("People at each stage, from first contact to acceptance."),
        categories=list(stages.values()),
        series=[Series(f.program, [f.stages[s] for s in stages]) for f in funnels],
        chart_id="funnel",
        rtl=rtl,
        fmt=tr.number,
    )
    attendance = await attendance_figures(session, programs=mine)
    attendance_chart = bar_chart(
        title=_("Training attendance"),
        description=_("Marks per programme: present, absent, excused."),
        categories=[a.program for a in attendance],
        series=[
            Series(_("Present"), [a.present for a in attendance]),
            Series(_("Absent"), [a.absent for a in attendance]),
            Series(_("Excused"), [a.excused for a in attendance]),
        ],
        chart_id="attendance",
        rtl=rtl,
        fmt=tr.number,
    )
    return render(
        request,
        "dashboard/index.html",
        section="dashboard",
        funnels=funnels,
        stages=stages,
        funnel_chart=funnel_chart,
        open_cases=overall.open_cases,
        median=waited(overall.median_first_response_seconds, tr),
        medians={f.program: waited(f.median_first_response_seconds, tr) for f in funnels},
        attendance=attendance,
        attendance_chart=attendance_chart,
        breakdowns=await _breakdowns(session, runtime.content, tr, mine),
    )
