"""Small SVG charts for docs/plots/, written as text (no plotting library): grouped bars, one group per
x label and one bar per series, each bar labelled with its value.

    bars(path, "Bot turn p50", ["1", "10", "50"], {"Rasa": [35, 80, 400], "app": [50, 95, 430]}, "ms")
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from devstack.stack import ROOT

PLOTS = ROOT / "docs" / "plots"
# One colour a series, in order: a baseline first (grey), then what is measured against it.
MARK_DASHES = ["6,3", "2,2", "10,4"]
COLOURS = ["#9e9e9e", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 64


def _nice_top(value: float) -> float:
    """The axis' top: 1, 2, 2.5 or 5 times a power of ten, at least value."""
    if value <= 0:
        return 1.0
    step = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    while step > value:
        step /= 10
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor >= value:
            return float(step * factor)
    return float(step * 10)


def _label(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def bars(name: str, title: str, groups: list[str], series: dict[str, list[float | None]], unit: str,
         x_label: str = "", marks: dict[str, float] | None = None) -> Path:
    """Writes docs/plots/NAME.svg; a None value leaves its bar out; marks are dashed horizontal lines
    (a target, say), labelled. Returns the file's path."""
    marks = marks or {}
    values = [v for vs in series.values() for v in vs if v is not None] + list(marks.values())
    top = _nice_top(max(values, default=1.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(groups))
    bar_w = group_w * 0.8 / max(1, len(series))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="14">{escape(title)}</text>']
    for i in range(5):  # the value axis: 0, a quarter, ..., top
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_label(value)}</text>')
    out.append(f'<text x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})" '
               f'text-anchor="middle">{escape(unit)}</text>')
    for g, group in enumerate(groups):
        x0 = LEFT + g * group_w + group_w * 0.1
        for s, values_of in enumerate(series.values()):
            bar = values_of[g] if g < len(values_of) else None
            if bar is None:
                continue
            h = plot_h * bar / top
            x, y = x0 + s * bar_w, TOP + plot_h - h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.92:.1f}" height="{h:.1f}" '
                       f'fill="{COLOURS[s % len(COLOURS)]}"/>')
            out.append(f'<text x="{x + bar_w * 0.46:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                       f'font-size="9">{_label(bar)}</text>')
        out.append(f'<text x="{LEFT + g * group_w + group_w / 2:.1f}" y="{TOP + plot_h + 14}" '
                   f'text-anchor="middle">{escape(group)}</text>')
    if x_label:
        out.append(f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h + 30}" text-anchor="middle">'
                   f'{escape(x_label)}</text>')
    legend_x = float(LEFT)
    for s, label in enumerate(series):  # the legend, in a row under the axis
        y = HEIGHT - 14
        out.append(f'<rect x="{legend_x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[s % len(COLOURS)]}"/>')
        out.append(f'<text x="{legend_x + 14}" y="{y}">{escape(label)}</text>')
        legend_x += 24 + 6.5 * len(label)
    for m, (label, value) in enumerate(marks.items()):  # the line across the plot, its label in the legend
        y = TOP + plot_h - plot_h * value / top
        dash = MARK_DASHES[m % len(MARK_DASHES)]
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d62728" '
                   f'stroke-dasharray="{dash}"/>')
        out.append(f'<line x1="{legend_x}" y1="{HEIGHT - 18}" x2="{legend_x + 18}" y2="{HEIGHT - 18}" '
                   f'stroke="#d62728" stroke-dasharray="{dash}"/>')
        out.append(f'<text x="{legend_x + 22}" y="{HEIGHT - 14}">{escape(label)}</text>')
        legend_x += 32 + 6.5 * len(label)
    out.append('<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="black"/>'.format(LEFT, TOP + plot_h, WIDTH - RIGHT))
    out.append("</svg>")
    path = PLOTS / f"{name}.svg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path
