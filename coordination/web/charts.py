"""Horizontal bar charts as inline SVG, drawn on the server: no script, no CDN, readable on a phone."""

from collections.abc import Callable

from markupsafe import Markup, escape

PALETTE = ("#1f5f8b", "#2e8540", "#b35c00", "#6a3d9a", "#a4262c", "#00747a")
BAR, GAP, LABEL, WIDTH = 18, 10, 18, 600  # label line above each bar: long labels never clipped


def bar_chart(title: str, rows: list[tuple[str, float]], *, unit: str = "", colour: int = 0,
              value_format: str = "{:g}", number: Callable[[float], str] | None = None) -> Markup:
    """One bar per row, labelled with its value (by `number`, in the page's language, if given);
    the title is the chart's accessible name."""
    if not rows:
        return Markup("")
    top = max(value for _, value in rows) or 1
    row = LABEL + BAR + GAP
    height = len(rows) * row
    span = WIDTH - 110
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">']
    parts.append(f"<title>{escape(title)}</title>")
    for index, (label, value) in enumerate(rows):
        y = index * row + LABEL
        width = max(2.0, span * value / top)
        text = escape((number(value) if number else value_format.format(value)) + unit)
        parts.append(
            f'<text x="0" y="{y - 5}" class="chart-label">{escape(label)}</text>'
            f'<rect x="0" y="{y}" width="{width:.1f}" height="{BAR}" rx="3" '
            f'fill="{PALETTE[colour % len(PALETTE)]}"><title>{escape(label)}: {text}</title></rect>'
            f'<text x="{width + 6:.1f}" y="{y + BAR * 0.75:.1f}" class="chart-value">{text}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
