"""The server-drawn SVG charts: well-formed, named for screen readers, every value present
as a titled mark, text escaped, mirrored for right-to-left pages, and round axis ticks."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.console.charts import Series, bar_chart, line_chart, nice_ticks, ticks_for

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own output, the thing under test


def test_a_bar_chart_is_named_described_and_titles_every_bar() -> None:
    svg = parse(
        bar_chart(
            title="Funnel",
            description="People at each stage",
            categories=["contacted", "applied", "accepted"],
            series=[Series("iess", [120, 40, 9])],
            chart_id="funnel",
        )
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "funnel-title funnel-desc"
    assert svg.find("s:title", NS).text == "Funnel"  # type: ignore[union-attr]
    assert svg.find("s:desc", NS).text == "People at each stage"  # type: ignore[union-attr]
    bars = svg.findall("s:rect[@class='bar']", NS)
    assert [b.find("s:title", NS).text for b in bars] == [  # type: ignore[union-attr]
        "contacted: 120",
        "applied: 40",
        "accepted: 9",
    ]
    heights = [float(b.get("height", 0)) for b in bars]
    assert heights[0] > heights[1] > heights[2] > 0, "bar heights follow the values"


def test_text_is_escaped_so_a_name_cannot_inject_markup() -> None:
    markup = bar_chart(
        title="<script>alert(1)</script>",
        description="d",
        categories=["<b>x</b>"],
        series=[Series("s", [1])],
        chart_id="x",
    )
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    parse(markup)


def test_right_to_left_mirrors_the_categories_and_the_value_axis() -> None:
    def layout(rtl: bool) -> tuple[list[float], str | None]:
        svg = parse(
            bar_chart(
                title="t",
                description="d",
                categories=["أ", "ب", "ج"],
                series=[Series("s", [1, 2, 3])],
                chart_id="c",
                rtl=rtl,
            )
        )
        xs = [float(b.get("x", 0)) for b in svg.findall("s:rect[@class='bar']", NS)]
        anchor = svg.find("s:text[@class='tick']", NS)
        return xs, None if anchor is None else anchor.get("text-anchor")

    ltr_x, ltr_anchor = layout(False)
    rtl_x, rtl_anchor = layout(True)
    assert ltr_x == sorted(ltr_x), "left to right: first category on the left"
    assert rtl_x == sorted(rtl_x, reverse=True), "right to left: first category on the right"
    assert (ltr_anchor, rtl_anchor) == ("end", "start"), "the value axis moves to the right"


def test_a_line_chart_draws_a_line_per_series_and_a_titled_dot_per_value() -> None:
    svg = parse(
        line_chart(
            title="Fund",
            description="Over time",
            categories=["2026-10", "2026-11", "2026-12"],
            series=[Series("available", [1000, 400, 700]), Series("paid back", [0, 0, 300])],
            chart_id="fund",
            fmt=lambda v: f"{v:.0f} TND",
        )
    )
    assert len(svg.findall("s:polyline", NS)) == 2
    dots = [c.find("s:title", NS).text for c in svg.findall("s:circle", NS)]  # type: ignore[union-attr]
    assert "2026-12 · paid back: 300 TND" in dots and len(dots) == 6
    legend = [t.text for t in svg.findall("s:g[@class='legend']/s:text", NS)]
    assert legend == ["available", "paid back"]


def test_a_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        line_chart(
            title="t",
            description="d",
            categories=["a", "b", "c"],
            series=[Series("s", [1, 2])],
            chart_id="x",
        )


def test_empty_and_negative_values_still_draw() -> None:
    parse(bar_chart(title="t", description="d", categories=[], series=[], chart_id="e"))
    svg = parse(
        bar_chart(
            title="t",
            description="d",
            categories=["a", "b"],
            series=[Series("s", [-50, 20])],
            chart_id="n",
        )
    )
    assert all(float(b.get("height", 0)) > 0 for b in svg.findall("s:rect[@class='bar']", NS))


@given(
    st.floats(min_value=-1e9, max_value=0, allow_nan=False),
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
)
def test_ticks_are_round_evenly_spaced_and_cover_the_values(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    # Covered to within a millionth of a step: closer than that is the same pixel.
    assert ticks[0] <= low + 1e-6 * step and ticks[-1] >= high - 1e-6 * step
    assert ticks[0] <= 0 <= ticks[-1]
    assert all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in itertools.pairwise(ticks))
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))
    assert len(ticks) <= 12


def test_counts_get_whole_number_ticks() -> None:
    assert ticks_for([2, 1]) == [0, 1, 2]
    assert all(float(t).is_integer() for t in ticks_for([3, 7, 1]))
    assert ticks_for([0.25, 0.5]) == [0, 0.5, 1], "amounts keep fractional steps"
