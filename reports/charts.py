"""Small server-side SVG charts: no JavaScript, no CDN, readable when printed.

Bars are drawn against an axis from 0 with labelled ticks, never scaled to the largest bar: a
poverty rate of 0,05 % must look small, not fill the width. The axis ends at the next "nice"
number above the largest value (0,05 % → 0,1 %, 2,69 % → 3 %, 12 % → 15 %), but never below a
floor (1 % for rates, 5 for counts), so that tiny rates stay tiny. Each chart carries a text
alternative (role="img", aria-label, <title> and a <desc> listing every value) for screen readers.
"""

import uuid
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ("#b02a37", "#8a6100", "#146c43", "#0a58ca")
# The smallest axis: a rate chart spans at least 0–1 %, a count chart at least 0–5.
RATE_FLOOR = Decimal(1)
COUNT_FLOOR = Decimal(5)
# Mantissas of the "nice" axis ends, and the tick step that divides each evenly.
NICE_STEPS = tuple(
    (Decimal(end), Decimal(step))
    for end, step in (("1", "0.2"), ("1.5", "0.5"), ("2", "0.5"), ("3", "1"), ("5", "1"))
)

Number = Decimal | int | float | None


def _num(value: Number) -> float:
    return float(value) if value is not None else 0.0


def _vn(text: str) -> str:
    """1,234.5 → 1.234,5 (Vietnamese separators)."""
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _fmt(value: Number, suffix: str) -> str:
    if value is None:
        return "—"
    text = f"{float(value):,.2f}" if suffix == "%" else f"{int(value):,}"
    return _vn(text) + suffix


def _tick_label(value: Decimal, suffix: str) -> str:
    text = f"{value.normalize():f}"
    if "." in text:
        whole, fraction = text.split(".")
        text = f"{int(whole):,}.{fraction}"
    else:
        text = f"{int(text):,}"
    return _vn(text) + suffix


def nice_axis(peak: Decimal, *, floor: Decimal, cap: Decimal | None = None) -> list[Decimal]:
    """The ticks of an axis from 0 to the next nice number above `peak` (at least `floor`).

    `cap` bounds the end (a percentage axis stops at 100 %). Returns [0, step, ..., end].
    """
    target = max(peak, Decimal(0))
    exponent = 0
    if target > 0:
        exponent = target.adjusted()  # 10 ** exponent <= target < 10 ** (exponent + 1)
    end = step = Decimal(0)
    for shift in (exponent, exponent + 1):
        scale = Decimal(10) ** shift
        for mantissa, tick in NICE_STEPS:
            if mantissa * scale > target:
                end, step = mantissa * scale, tick * scale
                break
        if end:
            break
    if end < floor:
        return nice_axis(floor - Decimal("1e-9"), floor=Decimal(0), cap=cap)
    if cap is not None and end > cap:
        end, step = cap, cap / 5
    count = int((end / step).to_integral_value())
    return [step * i for i in range(count + 1)]


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    suffix: str = "",
    title: str = "",
) -> SafeString:
    """Horizontal grouped bars against a labelled axis from 0; values written at each bar's end."""
    if not any(_num(v) for _, values in series for v in values):
        return mark_safe(  # noqa: S308 - constant text, escaped title
            f'<p class="small text-muted">{escape(title)}: '
            f"{escape(_('chưa có số liệu để vẽ biểu đồ.'))}</p>"
        )
    is_rate = suffix == "%"
    peak = max(
        (Decimal(str(v)) for _, values in series for v in values if v is not None),
        default=Decimal(0),
    )
    ticks = nice_axis(
        peak, floor=RATE_FLOOR if is_rate else COUNT_FLOOR, cap=Decimal(100) if is_rate else None
    )
    axis_end = float(ticks[-1])
    row_height = 14 * len(series) + 10
    # Room for a 30-character label at 12 px (about 7 px a character), right-aligned to the axis.
    label_width, bar_width, value_width = 225, 380, 70
    width = label_width + bar_width + value_width
    # The legend, on as many lines as its names need (four long names overflow one line).
    legend: list[tuple[float, int]] = []  # (x, line) of each series' key
    x, line = float(label_width), 0
    for name, _values in series:
        item = 14 + 7 * len(name) + 20
        if x + item > width and x > label_width:
            x, line = float(label_width), line + 1
        legend.append((x, line))
        x += item
    legend_height, axis_height = 22 + 18 * (legend[-1][1] if legend else 0), 20
    plot_top = legend_height
    plot_bottom = plot_top + row_height * max(1, len(labels))
    height = plot_bottom + axis_height + 4
    chart_id = f"chart-{uuid.uuid4().hex[:8]}"
    parts = [
        # On a phone the chart keeps a readable size and scrolls sideways in its own region
        # (focusable, so a keyboard can scroll it too); on a laptop it is drawn at about 1:1.
        f'<div class="chart-scroll" tabindex="0" role="region" aria-label="{escape(title)}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" aria-describedby="{chart_id}-desc" '
        f'class="chart" font-family="system-ui, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(labels, series, suffix))}</desc>',
    ]
    # Grid and axis: a light line per tick, the tick's value under the axis.
    parts.append(f'<g class="chart-axis" data-axis-end="{escape(_tick_label(ticks[-1], suffix))}">')
    for tick in ticks:
        x = label_width + bar_width * float(tick) / axis_end
        parts.append(
            f'<line x1="{x:.1f}" y1="{plot_top}" x2="{x:.1f}" y2="{plot_bottom}" '
            f'stroke="{"#6c757d" if tick == 0 else "#dee2e6"}" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{x:.1f}" y="{plot_bottom + 14}" font-size="11" '
            f'fill="#495057" text-anchor="middle">{escape(_tick_label(tick, suffix))}</text>'
        )
    parts.append("</g>")
    for index, ((name, _values), (x, line)) in enumerate(zip(series, legend, strict=True)):
        color = PALETTE[index % len(PALETTE)]
        y = 4 + 18 * line
        parts.append(f'<rect x="{x:.0f}" y="{y}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14:.0f}" y="{y + 9}" font-size="12">{escape(name)}</text>')
    for row, label in enumerate(labels):
        top = plot_top + row * row_height
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{top + row_height / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end">{escape(short)}</text>'
        )
        for index, (_name, values) in enumerate(series):
            value = values[row] if row < len(values) else None
            length = bar_width * min(_num(value), axis_end) / axis_end
            y = top + 4 + index * 14
            color = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect class="chart-bar" x="{label_width}" y="{y}" width="{length:.1f}" '
                f'height="11" fill="{color}"/>'
            )
            parts.append(
                f'<text class="chart-value" x="{label_width + length + 4:.1f}" y="{y + 9}" '
                f'font-size="11">{escape(_fmt(value, suffix))}</text>'
            )
    parts.append("</svg></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _describe(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]], suffix: str
) -> str:
    """The chart as a sentence per label, for readers who cannot see it."""
    rows = []
    for row, label in enumerate(labels):
        values = ", ".join(
            f"{name} {_fmt(values[row] if row < len(values) else None, suffix)}"
            for name, values in series
        )
        rows.append(f"{label}: {values}")
    return "; ".join(rows) + "."
