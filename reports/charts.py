"""Small server-side SVG charts: no JavaScript, no CDN, readable when printed."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#b02a37", "#e0a800", "#198754", "#0d6efd")


def _num(value: Decimal | int | float | None) -> float:
    return float(value) if value is not None else 0.0


def _fmt(value: Decimal | int | float | None, suffix: str) -> str:
    if value is None:
        return "—"
    text = f"{float(value):,.2f}" if suffix == "%" else f"{int(value):,}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".") + suffix


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | int | float | None]]],
    *,
    suffix: str = "",
    title: str = "",
) -> SafeString:
    """Horizontal grouped bars, one group per label, one bar per series; values printed."""
    if not any(_num(v) for _, values in series for v in values):
        return mark_safe(  # noqa: S308 - constant text, escaped title
            f'<p class="small text-muted">{escape(title)}: chưa có số liệu để vẽ biểu đồ.</p>'
        )
    row_height = 14 * len(series) + 10
    label_width, bar_width, value_width = 190, 380, 70
    width = label_width + bar_width + value_width
    legend_height = 22
    height = legend_height + row_height * max(1, len(labels)) + 10
    peak = max((_num(v) for _, values in series for v in values), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    x = label_width
    for index, (name, _values) in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="13" font-size="11">{escape(name)}</text>')
        x += 14 + 7 * len(name) + 20
    for row, label in enumerate(labels):
        top = legend_height + row * row_height
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{top + row_height / 2 + 4:.1f}" font-size="11" '
            f'text-anchor="end">{escape(short)}</text>'
        )
        for index, (_name, values) in enumerate(series):
            value = values[row] if row < len(values) else None
            length = bar_width * _num(value) / peak
            y = top + 4 + index * 14
            color = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="11" fill="{color}"/>'
            )
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{y + 9}" font-size="10">'
                f"{escape(_fmt(value, suffix))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
