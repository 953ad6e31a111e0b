"""Report charts (reports/charts.py): bars against a labelled axis from 0, values on the bars, and
a text alternative. A tiny rate must look tiny: the axis is never scaled to the largest bar."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from areas.services import unit_resolve
from reports.charts import bar_chart
from tests.factories import household, result

PLOT_WIDTH = 380  # the width of the plotting area in the SVG's own units


def bars(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'class="chart-bar"[^>]*width="([\d.]+)"', svg)]


def ticks(svg: str) -> list[str]:
    return re.findall(r'class="chart-tick"[^>]*>([^<]*)<', svg)


def values(svg: str) -> list[str]:
    return re.findall(r'class="chart-value"[^>]*>([^<]*)<', svg)


def test_a_tiny_rate_is_a_small_fraction_of_the_axis_not_the_whole_width():
    svg = bar_chart(["Xã A"], [("Tỷ lệ hộ nghèo", [Decimal("0.05")])], suffix="%", title="T")
    (width,) = bars(svg)
    assert width / PLOT_WIDTH < 0.1
    assert ticks(svg)[0] == "0%" and ticks(svg)[-1] == "1%"  # the floor of a rate axis
    assert values(svg) == ["0,05%"]


@pytest.mark.parametrize(
    ("peak", "axis_end"), [("2.69", "3%"), ("12", "15%"), ("0.8", "1%"), ("60", "100%")]
)
def test_the_axis_ends_at_the_next_nice_number_above_the_largest_rate(peak, axis_end):
    svg = bar_chart(["A", "B"], [("Nghèo", [Decimal(peak), Decimal("0.5")])], suffix="%", title="T")
    labels = ticks(svg)
    assert labels[0] == "0%" and labels[-1] == axis_end and len(labels) >= 3
    longest = max(bars(svg))
    assert longest < PLOT_WIDTH  # the largest bar does not fill the axis
    assert longest == pytest.approx(PLOT_WIDTH * float(peak) / float(axis_end.rstrip("%")), abs=0.1)


def test_values_are_written_with_the_vietnamese_decimal_comma():
    svg = bar_chart(
        ["Xã A", "Xã B"],
        [("Nghèo", [Decimal("2.69"), Decimal("1.2")]), ("Cận nghèo", [Decimal("4"), None])],
        suffix="%",
        title="Tỷ lệ",
    )
    assert values(svg) == ["2,69%", "4,00%", "1,20%", "—"]
    assert ticks(svg) == ["0%", "1%", "2%", "3%", "4%", "5%"]


def test_counts_get_an_axis_with_thousands_separators():
    svg = bar_chart(["Đầu kỳ"], [("Hộ nghèo", [1234])], title="Biến động")
    assert ticks(svg) == ["0", "500", "1.000", "1.500"]
    assert values(svg) == ["1.234"]


def test_a_legend_too_long_for_one_line_goes_on_to_the_next_inside_the_chart():
    names = ["Dân tộc thiểu số", "Không có lao động", "Có người có công", "Trợ cấp xã hội"]
    svg = str(bar_chart(["Huyện A"], [(name, [1]) for name in names], title="Nhóm"))
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    keys = re.findall(r'<text x="(\d+)" y="(\d+)" font-size="12">([^<]*)</text>', svg)
    legend = {name: (float(x), int(y)) for x, y, name in keys if name in names}
    assert set(legend) == set(names)
    # Each name starts inside the chart, and leaves room for itself (about 7 units a character).
    assert all(x + 7 * len(name) <= width for name, (x, _y) in legend.items())
    assert len({y for _x, y in legend.values()}) == 2  # on two lines
    # The bars start below the legend's last line.
    first_bar = float(re.search(r'class="chart-bar"[^>]*y="([\d.]+)"', svg).group(1))
    assert first_bar > max(y for _x, y in legend.values())


def test_the_chart_has_a_text_alternative():
    svg = bar_chart(
        ["Xã A", "Xã <B>"],
        [("Nghèo", [Decimal("2.69"), Decimal("0.05")])],
        suffix="%",
        title="Tỷ lệ hộ nghèo",
    )
    assert 'role="img"' in svg and 'aria-label="Tỷ lệ hộ nghèo"' in svg
    assert re.search(r"<title[^>]*>Tỷ lệ hộ nghèo</title>", svg)
    desc_id = re.search(r'aria-describedby="([^"]+)"', svg).group(1)
    desc = re.search(rf'<desc id="{desc_id}">([^<]*)</desc>', svg).group(1)
    assert desc == "Xã A: Nghèo 2,69%; Xã &lt;B&gt;: Nghèo 0,05%."


def test_the_summary_page_draws_a_small_rate_against_an_axis(province_reader, world, client_for):
    """Through HTTP: Bình Lục has 2 poor households of 1,800 (0,11 %), Phủ Lý none."""
    va = world["villages"][0]
    for _ in range(2):
        result(world, household(world, va), 2025, "poor", members=3)
    province = unit_resolve("35", edition=va.edition)
    page = client_for(province_reader).get(
        reverse(
            "reports:report",
            kwargs={
                "round_id": world["rounds"][2025].public_id,
                "unit_id": province.public_id,
                "kind": "summary",
            },
        )
    )
    svg = page.content.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
    assert ticks(svg)[0] == "0%" and ticks(svg)[-1] == "1%"
    assert "0,11%" in values(svg)
    assert 0 < max(bars(svg)) / PLOT_WIDTH < 0.15
    assert 'role="img"' in svg and "<desc" in svg and "Huyện Bình Lục: Tỷ lệ hộ nghèo 0,11%" in svg
