"""An indicator over time as a server-rendered SVG line chart.

No script and no style attributes (the Content-Security-Policy allows neither), only presentation
attributes. The chart is an image with a title and a text description (its text alternative); the
page shows the same numbers as a table beside it. The colours keep at least 3:1 contrast against
white (WCAG 1.4.11), and the target line is dashed and labelled, so colour is never the only sign.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .selectors import Series

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 20, 44
INSET = 32  # room for the first and last date label
LINE = "#0059b3"  # 7.0:1 on white
TARGET = "#006e3c"  # 6.3:1 on white
PEER = "#6d3b8f"  # 8.2:1 on white
AXIS = "#545454"  # 7.5:1 on white
TEXT = "#1a1a1a"


def number(value: Decimal) -> str:
    """The value as Danish readers write it, without trailing zeros (6,4; 5; 182.000)."""
    value = value.normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return number_format(value, use_l10n=True, force_grouping=abs(value) >= 10_000)


@dataclass
class _Scale:
    low: Decimal
    high: Decimal

    def y(self, value: Decimal) -> str:
        span = float(self.high - self.low) or 1.0
        return _px(TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value - self.low) / span))


def _px(value: float) -> str:
    return f"{value:.1f}"


def _nice_range(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) / 10 or Decimal(1)
        return low - pad, high + pad
    pad = (high - low) / 10
    low = low - pad if low - pad < 0 or low < 0 else max(Decimal(0), low - pad)
    return low, high + pad


def description(series: Series) -> str:
    """The chart's text alternative: what it shows, first and latest value, target and peers."""
    parts = []
    first, latest = series.points[0], series.points[-1]
    parts.append(
        _("%(name)s from %(first_date)s (%(first)s) to %(last_date)s (%(last)s).")
        % {
            "name": series.name,
            "first_date": first.measured_on.strftime("%d.%m.%Y"),
            "first": number(first.value),
            "last_date": latest.measured_on.strftime("%d.%m.%Y"),
            "last": number(latest.value),
        }
    )
    if series.target is not None:
        parts.append(_("Target: %(target)s.") % {"target": number(series.target)})
    if series.peers is not None:
        parts.append(
            _("Median of %(units)s units of the same kind in %(year)s: %(median)s.")
            % {
                "units": series.peers.units,
                "year": series.peers.year,
                "median": number(series.peers.median),
            }
        )
    return " ".join(parts)


def line_chart(series: Series, *, chart_id: str) -> SafeString:
    """The series as an accessible SVG (an empty string when it has no points)."""
    if not series.points:
        return SafeString("")
    values = [point.value for point in series.points]
    if series.target is not None:
        values.append(series.target)
    if series.peers is not None:
        values.append(series.peers.median)
    low, high = _nice_range(values)
    scale = _Scale(low, high)
    count = len(series.points)
    plot_width = WIDTH - LEFT - RIGHT

    def x(index: int) -> str:
        inner = plot_width - 2 * INSET
        return _px(LEFT + INSET + (inner / 2 if count == 1 else inner * index / (count - 1)))

    ticks = [low + (high - low) * Decimal(i) / 4 for i in range(5)]
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d9d9d9" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                scale.y(t),
                scale.y(t),
                LEFT - 8,
                _px(float(scale.y(t)) + 4),
                TEXT,
                number(t.quantize(Decimal("0.1"))),
            )
            for t in ticks
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
        (
            (x(i), HEIGHT - BOTTOM + 18, TEXT, point.measured_on.strftime("%m/%Y"))
            for i, point in enumerate(series.points)
        ),
    )
    path = " ".join(f"{x(i)},{scale.y(p.value)}" for i, p in enumerate(series.points))
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
        ((x(i), scale.y(p.value), LINE) for i, p in enumerate(series.points)),
    )
    extra = SafeString("")
    if series.target is not None:
        y = scale.y(series.target)
        extra += format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" '
            'stroke-dasharray="8 5"/><text x="{}" y="{}" text-anchor="end" font-size="12" '
            'fill="{}">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            y,
            y,
            TARGET,
            WIDTH - RIGHT,
            _px(float(y) - 6),
            TARGET,
            _("Target %(value)s") % {"value": number(series.target)},
        )
    if series.peers is not None:
        y = scale.y(series.peers.median)
        extra += format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" '
            'stroke-dasharray="2 4"/><text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            y,
            y,
            PEER,
            LEFT + 6,
            _px(float(y) - 6),
            PEER,
            _("Peer median %(value)s") % {"value": number(series.peers.median)},
        )
    return format_html(
        '<svg class="indicator-chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}"
        '<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" stroke="{axis}" stroke-width="1"/>'
        '<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{axis}" '
        'stroke-width="1"/>'
        "{labels}{extra}"
        '<polyline points="{path}" fill="none" stroke="{line}" stroke-width="3"/>{dots}</svg>',
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=series.name,
        desc=description(series),
        grid=grid,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        axis=AXIS,
        labels=labels,
        extra=extra,
        path=path,
        line=LINE,
        dots=dots,
    )
