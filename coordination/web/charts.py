"""Horizontal bar charts as inline SVG, drawn on the server: no script, no CDN, readable on a phone."""

from markupsafe import Markup, escape

PALETTE = ("#1f5f8b", "#2e8540", "#b35c00", "#6a3d9a", "#a4262c", "#00747a")
BAR, GAP, LABEL_WIDTH, WIDTH = 22, 8, 210, 640


def bar_chart(title: str, rows: list[tuple[str, float]], *, unit: str = "", colour: int = 0,
              value_format: str = "{:g}") -> Markup:
    """One bar per row, labelled with its value; the title is the chart's accessible name."""
    if not rows:
        return Markup("")
    top = max(value for _, value in rows) or 1
    height = len(rows) * (BAR + GAP) + GAP
    span = WIDTH - LABEL_WIDTH - 70
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">']
    parts.append(f"<title>{escape(title)}</title>")
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR + GAP)
        width = max(2.0, span * value / top)
        text = escape(value_format.format(value) + unit)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end" class="chart-label">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" rx="3" '
            f'fill="{PALETTE[colour % len(PALETTE)]}"><title>{escape(label)}: {text}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + BAR * 0.7:.1f}" class="chart-value">{text}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
