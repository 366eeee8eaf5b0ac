"""Charts for the dashboard, as inline SVG strings: pure functions, no plotting library, no
JavaScript. Every mark carries a <title>, which the browser shows as a tooltip."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
ISSUE_COLOURS = {
    "invalid_row": "#D55E00",
    "duplicate": "#56B4E9",
    "missing_stop": "#E69F00",
    "missing_start": "#CC79A7",
}
# Viridis, low (dark purple) to high (yellow): perceptually even and colour-blind safe.
_VIRIDIS = (
    (68, 1, 84),
    (72, 40, 120),
    (62, 74, 137),
    (49, 104, 142),
    (38, 130, 142),
    (31, 158, 137),
    (53, 183, 121),
    (109, 205, 89),
    (180, 222, 44),
    (253, 231, 37),
)
NO_DATA_COLOUR = "#eceff1"
FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"


def sequential_colour(value: float) -> str:
    """A colour for a share from 0 to 1 (values outside are clamped), as #rrggbb."""
    share = min(1.0, max(0.0, value))
    position = share * (len(_VIRIDIS) - 1)
    low = min(int(position), len(_VIRIDIS) - 2)
    fraction = position - low
    channels = (
        round(a + (b - a) * fraction) for a, b in zip(_VIRIDIS[low], _VIRIDIS[low + 1], strict=True)
    )
    return "#" + "".join(f"{c:02x}" for c in channels)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on the background colour."""
    r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#111" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def _svg(width: float, height: float, body: Sequence[str], label: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width:.0f} {height:.0f}' "
        f"width='{width:.0f}' height='{height:.0f}' role='img' aria-label='{escape(label)}' "
        f"class='chart' {FONT}>" + "".join(body) + "</svg>"
    )


def _day_label_every(days: int) -> int:
    return 1 if days <= 16 else 2 if days <= 35 else 7


def _day_ticks(days: Sequence[date]) -> list[tuple[int, str, str | None]]:
    """(index, day-of-month label, month label where the month starts or the axis begins)."""
    every = _day_label_every(len(days))
    ticks = []
    for index, day in enumerate(days):
        month = day.strftime("%b %Y") if index == 0 or day.day == 1 else None
        if index % every == 0 or month:
            ticks.append((index, str(day.day), month))
    return ticks


@dataclass(frozen=True)
class HeatmapRow:
    group: str  # shown once, before the group's first row (a branch)
    label: str  # the row (a machine)
    values: Mapping[date, float]  # day -> share 0..1; a missing day has no data
    details: Mapping[date, str]  # day -> tooltip text
    unfinished: frozenset[date] = frozenset()  # days not over yet: drawn dashed and faded


def heatmap(rows: Sequence[HeatmapRow], days: Sequence[date], *, title: str) -> str:
    """Rows by days of coloured cells (share 0..1, as a percentage in each cell)."""
    cell_w, cell_h, gap = 34, 22, 2
    left, top, group_gap = 190, 34, 14
    groups = [row.group for row in rows]
    group_starts = {i for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]}
    y_positions, y = [], top
    for index in range(len(rows)):
        if index in group_starts:
            y += group_gap + 16 if index else 16
        y_positions.append(y)
        y += cell_h + gap
    width = max(left + len(days) * (cell_w + gap) + 70, 780)
    legend_y = y + 26
    height = legend_y + 40
    body = []
    for index, _day_label, month in _day_ticks(days):
        x = left + index * (cell_w + gap)
        if month:  # a month starting in the last columns ends at the right edge instead
            near_end = index > len(days) - 3
            anchor = f"x='{x + cell_w}' text-anchor='end'" if near_end else f"x='{x}'"
            body.append(f"<text {anchor} y='12' font-size='12' font-weight='600'>{month}</text>")
    for index, day in enumerate(days):
        x = left + index * (cell_w + gap) + cell_w / 2
        weekend = day.weekday() >= 5
        body.append(
            f"<text x='{x}' y='{top - 6}' font-size='11' text-anchor='middle' "
            f"fill='{'#b00' if weekend else '#444'}'>{day.day}</text>"
        )
    for index, row in enumerate(rows):
        y = y_positions[index]
        if index in group_starts:
            body.append(
                f"<text x='4' y='{y - 5}' font-size='12' font-weight='700'>"
                f"{escape(row.group)}</text>"
            )
        body.append(
            f"<text x='{left - 8}' y='{y + cell_h / 2 + 4}' font-size='12' text-anchor='end'>"
            f"{escape(row.label)}</text>"
        )
        for column, day in enumerate(days):
            x = left + column * (cell_w + gap)
            value = row.values.get(day)
            tip = row.details.get(day) or f"{row.group} {row.label}, {day}: no data"
            if value is None:
                body.append(
                    f"<rect class='cell no-data' x='{x}' y='{y}' width='{cell_w}' "
                    f"height='{cell_h}' rx='3' fill='{NO_DATA_COLOUR}'>"
                    f"<title>{escape(tip)}</title></rect>"
                )
                continue
            colour = sequential_colour(value)
            unfinished = (
                " fill-opacity='0.45' stroke='#333' stroke-dasharray='3 2'"
                if day in row.unfinished
                else ""
            )
            body.append(
                f"<g class='cell'><rect x='{x}' y='{y}' width='{cell_w}' height='{cell_h}' rx='3' "
                f"fill='{colour}'{unfinished}/><text x='{x + cell_w / 2}' y='{y + cell_h / 2 + 4}' "
                f"font-size='10' text-anchor='middle' "
                f"fill='{'#111' if unfinished else text_colour_on(colour)}'>"
                f"{value * 100:.0f}</text><title>{escape(tip)}</title></g>"
            )
    body.append(_colour_legend(left, legend_y))
    return _svg(width, height, body, title)


def _colour_legend(x: float, y: float) -> str:
    steps, width = 20, 260
    parts = [f"<text x='{x - 8}' y='{y + 13}' font-size='12' text-anchor='end'>Availability</text>"]
    for i in range(steps):
        parts.append(
            f"<rect x='{x + i * width / steps:.1f}' y='{y}' width='{width / steps + 0.5:.1f}' "
            f"height='16' fill='{sequential_colour(i / (steps - 1))}'/>"
        )
    for share in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f"<text x='{x + share * width:.1f}' y='{y + 30}' font-size='11' "
            f"text-anchor='middle'>{share:.0%}</text>"
        )
    parts.append(
        f"<rect x='{x + width + 24}' y='{y}' width='16' height='16' rx='3' "
        f"fill='{NO_DATA_COLOUR}'/>"
        f"<text x='{x + width + 46}' y='{y + 13}' font-size='12'>no report that day</text>"
        f"<rect x='{x + width + 180}' y='{y}' width='16' height='16' rx='3' fill='#999' "
        f"fill-opacity='0.45' stroke='#333' stroke-dasharray='3 2'/>"
        f"<text x='{x + width + 202}' y='{y + 13}' font-size='12'>day not over yet</text>"
    )
    return "".join(parts)


def line_chart(
    series: Mapping[str, Mapping[date, float]],
    days: Sequence[date],
    *,
    title: str,
    y_label: str,
    unfinished: Mapping[str, frozenset[date]] | None = None,
    width: int = 900,
    height: int = 300,
) -> str:
    """One line per series over the days, y from 0 to 100 % (values are shares 0..1).
    A series' unfinished days (not over yet) are hollow points joined by a dashed line."""
    left, right, top, bottom = 56, 56, 16, 64
    unfinished = unfinished or {}
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(days) - 1)

    def x_of(index: int) -> float:
        return left + (index * step if len(days) > 1 else plot_w / 2)

    def y_of(share: float) -> float:
        return top + plot_h * (1 - min(1.0, max(0.0, share)))

    body = []
    for share in (0, 0.25, 0.5, 0.75, 1):
        y = y_of(share)
        body.append(
            f"<line x1='{left}' x2='{left + plot_w}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>"
            f"<text x='{left - 6}' y='{y + 4:.1f}' font-size='11' text-anchor='end'>"
            f"{share:.0%}</text>"
        )
    body.append(
        f"<text transform='translate(14 {top + plot_h / 2}) rotate(-90)' font-size='12' "
        f"text-anchor='middle'>{escape(y_label)}</text>"
    )
    for index, day_label, month in _day_ticks(days):
        x = x_of(index)
        body.append(
            f"<text x='{x:.1f}' y='{top + plot_h + 16}' font-size='11' text-anchor='middle'>"
            f"{day_label}</text>"
        )
        if month:
            body.append(
                f"<text x='{x:.1f}' y='{top + plot_h + 31}' font-size='11' text-anchor='middle' "
                f"font-weight='600'>{month}</text>"
            )
    legend_x = left
    for number, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        points = [
            (x_of(i), y_of(values[d]), d, values[d]) for i, d in enumerate(days) if d in values
        ]
        open_days = unfinished.get(name, frozenset())
        for (x1, y1, _, _), (x2, y2, day, _) in itertools.pairwise(points):
            dashed = " stroke-dasharray='5 4'" if day in open_days else ""
            body.append(
                f"<path class='series' d='M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}' fill='none' "
                f"stroke='{colour}' stroke-width='2.5' stroke-linecap='round'{dashed}/>"
            )
        for x, y, day, value in points:
            still = day in open_days
            note = " (day not over yet)" if still else ""
            body.append(
                f"<circle class='point' cx='{x:.1f}' cy='{y:.1f}' r='3.5' "
                f"fill='{'#fff' if still else colour}' stroke='{colour}' stroke-width='1.5'>"
                f"<title>{escape(name)}, {day}: {value:.1%}{note}</title></circle>"
            )
        legend_y = height - 14
        body.append(
            f"<rect x='{legend_x}' y='{legend_y - 10}' width='14' height='4' "
            f"fill='{colour}'/><text x='{legend_x + 20}' y='{legend_y - 4}' font-size='12'>"
            f"{escape(name)}</text>"
        )
        legend_x += 34 + 7.2 * len(name)
    return _svg(width, height, body, title)


def stacked_bars(
    counts: Mapping[date, Mapping[str, int]],
    days: Sequence[date],
    categories: Sequence[str],
    *,
    title: str,
    y_label: str,
    colours: Mapping[str, str] = ISSUE_COLOURS,
    width: int = 900,
    height: int = 260,
) -> str:
    """Per day, one bar of the categories' counts stacked, with a legend."""
    left, right, top, bottom = 56, 56, 16, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max((sum(by_type.values()) for by_type in counts.values()), default=0)
    ceiling = _nice_ceiling(highest)
    slot = plot_w / max(1, len(days))
    bar_w = max(2.0, slot * 0.7)
    body = []
    for tick in _ticks(ceiling):
        y = top + plot_h * (1 - tick / ceiling)
        body.append(
            f"<line x1='{left}' x2='{left + plot_w}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>"
            f"<text x='{left - 6}' y='{y + 4:.1f}' font-size='11' text-anchor='end'>{tick}</text>"
        )
    body.append(
        f"<text transform='translate(14 {top + plot_h / 2}) rotate(-90)' font-size='12' "
        f"text-anchor='middle'>{escape(y_label)}</text>"
    )
    for index, day_label, month in _day_ticks(days):
        x = left + slot * (index + 0.5)
        body.append(
            f"<text x='{x:.1f}' y='{top + plot_h + 16}' font-size='11' text-anchor='middle'>"
            f"{day_label}</text>"
        )
        if month:
            body.append(
                f"<text x='{x:.1f}' y='{top + plot_h + 31}' font-size='11' text-anchor='middle' "
                f"font-weight='600'>{month}</text>"
            )
    for index, day in enumerate(days):
        base = 0
        x = left + slot * index + (slot - bar_w) / 2
        for category in categories:
            count = counts.get(day, {}).get(category, 0)
            if not count:
                continue
            y_top = top + plot_h * (1 - (base + count) / ceiling)
            bar_h = plot_h * count / ceiling
            body.append(
                f"<rect class='bar' x='{x:.1f}' y='{y_top:.1f}' width='{bar_w:.1f}' "
                f"height='{bar_h:.1f}' fill='{colours.get(category, '#888')}'>"
                f"<title>{day}: {count} {escape(category)}</title></rect>"
            )
            base += count
    legend_x = left
    for category in categories:
        body.append(
            f"<rect x='{legend_x}' y='{height - 24}' width='12' height='12' "
            f"fill='{colours.get(category, '#888')}'/><text x='{legend_x + 18}' y='{height - 14}' "
            f"font-size='12'>{escape(category)}</text>"
        )
        legend_x += 36 + 7.2 * len(category)
    return _svg(width, height, body, title)


def _nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least the value (at least 1)."""
    ceiling = 1
    while ceiling < value:
        for factor in (2, 2.5, 2):
            ceiling = int(ceiling * factor)
            if ceiling >= value:
                break
    return ceiling


def _ticks(ceiling: int) -> list[int]:
    step = ceiling / 5 if ceiling >= 5 and ceiling % 5 == 0 else 1 if ceiling < 5 else ceiling / 4
    ticks, tick = [], 0.0
    while tick <= ceiling + 1e-9:
        ticks.append(round(tick))
        tick += step
    return sorted(set(ticks))
