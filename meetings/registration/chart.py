"""Dashboard charts as self-contained, accessible SVG (no JavaScript, no library).

Every chart is an image with a name (role="img", aria-label and <title>); the page shows the
same figures as a data table beside it, so nothing is only in the picture.
"""

from datetime import date, timedelta
from xml.sax.saxutils import escape

WIDTH, HEIGHT, MARGIN = 640, 240, 40
BAR, GAP, LABEL_W = 18, 8, 200
INK, BLUE, GREY, RED = "#222", "#1f5fa8", "#6b6b6b", "#b3261e"


def attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def svg(title: str, width: int, height: int, body: str) -> str:
    """The frame shared by every chart: a named image that scales to its container."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{attr(title)}" class="chart" '
            f'preserveAspectRatio="xMinYMin meet"><title>{escape(str(title))}</title>'
            f'{body}</svg>')


def text(x: float, y: float, value, anchor: str = "start", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="12" '
            f'fill="{fill}">{escape(str(value))}</text>')


def cumulative_chart_svg(rows: list[tuple[date, int, int]], capacity: int | None,
                         title: str, capacity_label: str) -> str:
    """Registrations so far, day by day, as a rising line from zero the day before the first
    registration (one day of registrations is still a line), with capacity as a dashed line."""
    if not rows:
        return ""
    points = [(rows[0][0] - timedelta(days=1), 0)] + [(day, total) for day, _, total in rows]
    top = max(points[-1][1], capacity or 0) or 1
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    base = MARGIN + plot_h

    def x(index: int) -> float:
        return MARGIN + plot_w * index / (len(points) - 1)

    def y(value: int) -> float:
        return base - plot_h * value / top

    line = " ".join(f"{x(i):.1f},{y(total):.1f}" for i, (_, total) in enumerate(points))
    dots = "".join(f'<circle cx="{x(i):.1f}" cy="{y(total):.1f}" r="3" fill="{BLUE}"/>'
                   for i, (_, total) in enumerate(points))
    body = (f'<line x1="{MARGIN}" y1="{base}" x2="{WIDTH - MARGIN}" y2="{base}" stroke="{INK}"/>'
            f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{base}" stroke="{INK}"/>'
            + text(MARGIN - 6, y(top) + 4, top, "end") + text(MARGIN - 6, base, 0, "end")
            + f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2"/>' + dots)
    if capacity:
        body += (f'<line x1="{MARGIN}" y1="{y(capacity):.1f}" x2="{WIDTH - MARGIN}" '
                 f'y2="{y(capacity):.1f}" stroke="{RED}" stroke-dasharray="6 4"/>'
                 + text(WIDTH - MARGIN, y(capacity) - 4, f"{capacity_label} {capacity}", "end",
                        RED))
    body += (text(MARGIN, HEIGHT - 12, points[0][0].isoformat())
             + text(WIDTH - MARGIN, HEIGHT - 12, points[-1][0].isoformat(), "end"))
    return svg(title, WIDTH, HEIGHT, body)


def bars_svg(rows: list[tuple[str, int, int | None]], title: str) -> str:
    """One horizontal bar per row (label, value, limit or None); a limit is drawn as a grey
    outline the bar fills, and a value over its limit turns red."""
    if not rows:
        return ""
    top = max(max(value, limit or 0) for _, value, limit in rows) or 1
    plot_w = WIDTH - LABEL_W - 70
    height = len(rows) * (BAR + GAP) + GAP
    parts = []
    for index, (label, value, limit) in enumerate(rows):
        top_y = GAP + index * (BAR + GAP)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(text(LABEL_W - 8, top_y + BAR - 5, short, "end"))
        if limit is not None:
            parts.append(f'<rect x="{LABEL_W}" y="{top_y}" width="{plot_w * limit / top:.1f}" '
                         f'height="{BAR}" fill="none" stroke="{GREY}"/>')
        colour = RED if limit is not None and value > limit else BLUE
        parts.append(f'<rect x="{LABEL_W}" y="{top_y}" width="{plot_w * value / top:.1f}" '
                     f'height="{BAR}" fill="{colour}"/>')
        figure = f"{value} / {limit}" if limit is not None else str(value)
        parts.append(text(LABEL_W + plot_w * max(value, limit or 0) / top + 6,
                          top_y + BAR - 5, figure))
    return svg(title, WIDTH, height, "".join(parts))
