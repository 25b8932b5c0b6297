"""The accessible XmR chart: an SVG a screen reader can summarise, and a table in words."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from wraparound.spc.chart import plain_period, render
from wraparound.spc.engine import xmr

SVG = "{http://www.w3.org/2000/svg}"
ORACLE_1 = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
ORACLE_2 = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
WEEKS = [dt.date(2026, 1, 5) + dt.timedelta(weeks=n) for n in range(30)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_svg_is_an_image_with_a_title_and_a_summary_in_words():
    chart = render(xmr(ORACLE_1, periods=WEEKS[:15]), title="Requests per week")
    root = parse(chart.svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Requests per week"
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("Mean 23.2; process limits 8.76 to 37.6; latest point common cause")
    assert root.get("aria-labelledby") == f"{chart.chart_id}-title {chart.chart_id}-desc"


def test_limits_and_mean_drawn_at_the_engines_figures():
    chart = render(xmr(ORACLE_1, periods=WEEKS[:15]), title="Requests per week")
    root = parse(chart.svg)
    mean = root.findall(f".//{SVG}line[@class='spc-mean']")
    limits = root.findall(f".//{SVG}line[@class='spc-limit']")
    assert len(mean) == 1 and len(limits) == 2
    # The upper limit is drawn above the mean, the lower below it (SVG y grows downwards).
    ys = sorted(float(line.get("y1")) for line in limits)
    assert ys[0] < float(mean[0].get("y1")) < ys[1]


def test_no_limits_drawn_under_thirteen_points_and_it_says_so():
    chart = render(xmr(ORACLE_1[:12], periods=WEEKS[:12]), title="Hand-offs per request")
    root = parse(chart.svg)
    assert root.findall(f".//{SVG}line[@class='spc-limit']") == []
    assert len(root.findall(f".//{SVG}line[@class='spc-mean']")) == 1
    assert "fewer than 13 points" in chart.limits_note
    assert "no process limits" in chart.summary
    assert len(chart.rows) == 12


def test_special_cause_points_differ_in_shape_not_only_colour():
    chart = render(xmr(ORACLE_2, improvement="up"), title="Urgent seen in 2 hours")
    root = parse(chart.svg)
    improvement = root.findall(f".//{SVG}polygon[@class='spc-point spc-point--improvement']")
    common = root.findall(f".//{SVG}circle[@class='spc-point spc-point--common-cause']")
    assert len(improvement) == 1 and len(common) == 17
    concern = render(xmr(ORACLE_2, improvement="down"), title="x")
    assert (
        len(parse(concern.svg).findall(f".//{SVG}polygon[@class='spc-point spc-point--concern']"))
        == 1
    )
    neither = render(xmr(ORACLE_2), title="x")
    assert (
        len(parse(neither.svg).findall(f".//{SVG}rect[@class='spc-point spc-point--neither']")) == 1
    )


def test_no_script_no_inline_style_and_text_is_escaped():
    chart = render(
        xmr(ORACLE_2, periods=[f"<b>{n}</b>" for n in range(18)]), title='A "<script>" title'
    )
    for markup in (chart.svg, chart.icon_svg):
        parse(markup)  # well-formed: nothing unescaped broke it
        assert "<script" not in markup.lower()
        assert "style=" not in markup
        assert "<b>" not in markup


def test_table_rows_in_words_with_dates_in_plain_words():
    chart = render(xmr(ORACLE_2, periods=WEEKS[:18], improvement="up"), title="Requests per week")
    assert chart.rows[0].period == "5 January 2026"
    assert chart.rows[4].variation == "special cause: improvement"
    assert chart.rows[4].rules == "outside the process limits"
    assert chart.rows[0].rules == "none"
    assert plain_period("2026-03-03") == "3 March 2026"
    assert plain_period("week 9") == "week 9"
    labels = [t.text for t in parse(chart.svg).findall(f"{SVG}text")]
    assert "5 January 2026" in labels and "4 May 2026" in labels


@pytest.mark.parametrize(
    ("values", "improvement", "icon", "words"),
    [
        (ORACLE_1, "up", "common_cause", "common cause variation"),
        ([*ORACLE_1, 60], "up", "improvement_high", "special cause improvement, higher"),
        ([*ORACLE_1, 60], "down", "concern_high", "special cause concern, higher"),
        ([*ORACLE_1, -20], "up", "concern_low", "special cause concern, lower"),
        ([*ORACLE_1, -20], "neutral", "neither_low", "special cause, lower"),
    ],
)
def test_variation_icon_for_the_latest_point(values, improvement, icon, words):
    chart = render(xmr(values, improvement=improvement), title="t")
    assert chart.icon == icon
    assert chart.icon_words.startswith(words)
    assert parse(chart.icon_svg).get("aria-label").startswith(words)
    assert f"latest point {words}" in chart.summary


def test_several_charts_on_a_page_have_distinct_ids():
    a = render(xmr(ORACLE_1), title="Requests per week")
    b = render(xmr(ORACLE_1), title="Failure demand share")
    assert a.chart_id != b.chart_id


def test_template_partial_renders_chart_and_table():
    chart = render(
        xmr(ORACLE_2, periods=WEEKS[:18], improvement="up"),
        title="Requests per week",
        units="requests",
    )
    html = render_to_string("spc/_chart.html", {"chart": chart})
    assert chart.svg in html
    assert "Latest point: common cause variation" in html
    assert "<caption" in html and "Requests per week: the figures" in html
    assert html.count('<th scope="row"') == 18
    assert "5 January 2026" in html and "special cause: improvement" in html
    assert "style=" not in html and "<script" not in html
    empty = render_to_string("spc/_chart.html", {"chart": render(xmr([]), title="Nothing yet")})
    assert "No figures yet." in empty


def test_a_recorded_change_is_marked_and_each_segment_has_its_own_lines():
    values = [9, 11] * 6 + [10] + [19, 21] * 6 + [20]
    chart = render(xmr(values, periods=WEEKS[:26], changes=[WEEKS[13]]), title="Requests per week")
    root = parse(chart.svg)
    assert len(root.findall(f".//{SVG}line[@class='spc-change']")) == 1
    assert len(root.findall(f".//{SVG}line[@class='spc-mean']")) == 2
    assert len(root.findall(f".//{SVG}line[@class='spc-limit']")) == 4
    assert "limits recalculated at 1 recorded change" in chart.summary
    texts = root.findall(f"{SVG}text")
    assert texts[-1].get("text-anchor") == "end"  # the last date is not cut off
