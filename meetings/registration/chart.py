"""A bar chart of registrations per day as self-contained SVG (no JavaScript, no library)."""

from datetime import date
from xml.sax.saxutils import escape

WIDTH, HEIGHT, MARGIN = 640, 240, 40


def bar_chart_svg(points: list[tuple[date, int]], title: str) -> str:
    """SVG markup: one bar per day, a y-axis maximum and first/last date labels."""
    if not points:
        return ""
    top = max(count for _, count in points) or 1
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    step = plot_w / len(points)
    bars = []
    for index, (day, count) in enumerate(points):
        height = plot_h * count / top
        x = MARGIN + index * step
        y = MARGIN + plot_h - height
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{height:.1f}" fill="#1f5fa8"><title>{day.isoformat()}: {count}</title></rect>'
        )
    axis_y = MARGIN + plot_h
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}" class="chart">'
        f'<line x1="{MARGIN}" y1="{axis_y}" x2="{WIDTH - MARGIN}" y2="{axis_y}" stroke="#333"/>'
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{axis_y}" stroke="#333"/>'
        f'<text x="{MARGIN - 6}" y="{MARGIN + 4}" text-anchor="end" font-size="12" '
        f'fill="#222">{top}</text>'
        f'<text x="{MARGIN - 6}" y="{axis_y}" text-anchor="end" font-size="12" fill="#222">0</text>'
        + "".join(bars)
        + f'<text x="{MARGIN}" y="{HEIGHT - 12}" font-size="12" fill="#222">'
        f'{points[0][0].isoformat()}</text>'
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 12}" text-anchor="end" font-size="12" '
        f'fill="#222">{points[-1][0].isoformat()}</text></svg>'
    )
