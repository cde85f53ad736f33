"""Bar and line charts drawn by the server as SVG: no script, no library, nothing fetched.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>``; each bar and point carries its own ``<title>`` (label and value) for a pointer
hover, and pages print the same numbers in a table for screen readers. Geometry is laid out
left-to-right with ``direction="ltr"`` fixed on the SVG, and mirrored for right-to-left
languages (first category on the right, value axis on the right), so Arabic pages read in
their own direction and nothing depends on how a browser resolves ``text-anchor`` in RTL.
All text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Fill colours, told apart by people with the common colour-vision deficiencies.
PALETTE = ("#1f6fb2", "#e08a00", "#2e8b57", "#b2362f", "#6a4c9c", "#5f6b73")
Formatter = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One named line, or one colour of bars, with a value per category."""

    label: str
    values: Sequence[float]


@dataclass(frozen=True)
class Frame:
    """The chart's size and its plot area inside the margins."""

    width: int
    height: int
    left: int = 56
    right: int = 16
    top: int = 16
    bottom: int = 44

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round axis ticks (steps of 1, 2 or 5 times a power of ten) covering ``low..high``,
    from at most 0 up. The span is at least 1: charts show counts and amounts in major units."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 1:
        high = low + 1
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def ticks_for(values: Sequence[float]) -> list[float]:
    """The value axis of ``values``: counts get whole-number steps (no ``0.5`` person)."""
    low, high = min(values, default=0), max(values, default=0)
    count = 4
    if all(float(v).is_integer() for v in values):
        count = max(1, min(4, math.ceil(max(high, 0) - min(low, 0))))
    return nice_ticks(low, high, count)


def _plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _open(title: str, description: str, frame: Frame, chart_id: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="100%" direction="ltr" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _value_axis(frame: Frame, ticks: list[float], fmt: Formatter, rtl: bool) -> list[str]:
    """Horizontal grid lines and their labels, on the reading side's start."""
    lo, hi = ticks[0], ticks[-1]
    parts = []
    for tick in ticks:
        y = frame.top + frame.plot_height * (1 - (tick - lo) / (hi - lo))
        x1, x2 = frame.left, frame.left + frame.plot_width
        parts.append(f'<line class="grid" x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}"/>')
        label_x, anchor = (x2 + 4, "start") if rtl else (x1 - 4, "end")
        parts.append(
            f'<text class="tick" x="{label_x}" y="{y + 4:.1f}" text-anchor="{anchor}">'
            f"{escape(fmt(tick))}</text>"
        )
    return parts


def _legend(frame: Frame, series: Sequence[Series], rtl: bool) -> list[str]:
    """One swatch and name per series, along the bottom, in reading order."""
    if len(series) < 2:
        return []
    parts = ['<g class="legend">']
    step = frame.plot_width / len(series)
    for index, each in enumerate(series):
        slot = len(series) - 1 - index if rtl else index
        x = frame.left + slot * step
        y = frame.height - 12
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="{y}">{escape(each.label)}</text>')
    parts.append("</g>")
    return parts


def _scale(frame: Frame, ticks: list[float]) -> Callable[[float], float]:
    lo, hi = ticks[0], ticks[-1]
    return lambda v: frame.top + frame.plot_height * (1 - (v - lo) / (hi - lo))


def bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    chart_id: str,
    rtl: bool = False,
    fmt: Formatter = _plain,
    width: int = 640,
    height: int = 280,
) -> Markup:
    """Grouped vertical bars: one group per category, one bar per series."""
    _check(categories, series)
    frame = Frame(width, height)
    ticks = ticks_for([v for s in series for v in s.values])
    y = _scale(frame, ticks)
    parts = _open(title, description, frame, chart_id)
    parts += _value_axis(frame, ticks, fmt, rtl)
    group = frame.plot_width / max(len(categories), 1)
    bar = group * 0.8 / max(len(series), 1)
    for index, category in enumerate(categories):
        slot = len(categories) - 1 - index if rtl else index
        x0 = frame.left + slot * group + group * 0.1
        for s_index, each in enumerate(series):
            value = each.values[index]
            top, base = sorted((y(value), y(0)))
            order = len(series) - 1 - s_index if rtl else s_index
            name = (
                f"{category} · {each.label}: {fmt(value)}"
                if len(series) > 1
                else (f"{category}: {fmt(value)}")
            )
            parts.append(
                f'<rect class="bar" x="{x0 + order * bar:.1f}" y="{top:.1f}" '
                f'width="{max(bar - 2, 1):.1f}" height="{max(base - top, 0.5):.1f}" '
                f'fill="{PALETTE[s_index % len(PALETTE)]}"><title>{escape(name)}</title></rect>'
            )
        parts.append(_category_label(frame, x0 + group * 0.4, category))
    parts += _legend(frame, series, rtl)
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704 - every text in it went through escape()


def line_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    chart_id: str,
    rtl: bool = False,
    fmt: Formatter = _plain,
    width: int = 640,
    height: int = 280,
) -> Markup:
    """Lines over ordered categories (dates), one per series, with a dot at each value."""
    _check(categories, series)
    frame = Frame(width, height)
    ticks = ticks_for([v for s in series for v in s.values])
    y = _scale(frame, ticks)
    parts = _open(title, description, frame, chart_id)
    parts += _value_axis(frame, ticks, fmt, rtl)
    count = len(categories)
    step = frame.plot_width / max(count - 1, 1)

    def x(index: int) -> float:
        slot = count - 1 - index if rtl else index
        return frame.left + (slot * step if count > 1 else frame.plot_width / 2)

    for s_index, each in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(each.values))
        parts.append(
            f'<polyline class="line" fill="none" stroke="{colour}" stroke-width="2" '
            f'points="{points}"/>'
        )
        for i, value in enumerate(each.values):
            name = f"{categories[i]} · {each.label}: {fmt(value)}"
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)}</title></circle>"
            )
    shown = _every(count, max(frame.plot_width // 70, 1))
    for i in shown:
        # The labels at both ends hang inwards, so none is cut by the edge.
        anchor = "middle"
        if count > 1 and i in (0, count - 1):
            anchor = "start" if (i == 0) != rtl else "end"
        parts.append(_category_label(frame, x(i), categories[i], anchor))
    parts += _legend(frame, series, rtl)
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704 - every text in it went through escape()


def _every(count: int, room: int) -> list[int]:
    """Which category labels fit: all, or evenly spaced ones with the first and the last."""
    if count <= room:
        return list(range(count))
    stride = math.ceil((count - 1) / max(room - 1, 1))
    picked = list(range(0, count, stride))
    if picked[-1] != count - 1:
        picked[-1] = count - 1
    return picked


def _category_label(frame: Frame, x: float, text: str, anchor: str = "middle") -> str:
    y = frame.top + frame.plot_height + 16
    return (
        f'<text class="category" x="{x:.1f}" y="{y}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _check(categories: Sequence[str], series: Sequence[Series]) -> None:
    for each in series:
        if len(each.values) != len(categories):
            raise ValueError(
                f"series {each.label!r} has {len(each.values)} values for "
                f"{len(categories)} categories"
            )
