"""Bar charts as inline SVG, drawn on the server (no script, no library, no inline styles)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from markupsafe import Markup, escape

from guardian.household.money import format_amount

BAR = "#3b6ea8"


def bars(
    items: list[tuple[str, Decimal]], *, label: str, width: int = 420, row: int = 22, mark: Decimal | None = None
) -> Markup:
    """Horizontal bars, one per (label, amount); `mark` draws a line at a limit (e.g. the day cap)."""
    if not items:
        return Markup('<p class="muted">{}</p>').format(gettext("Nothing spent."))
    top = max([*(a for _, a in items), mark or Decimal(0), Decimal(1)])
    left, right = 110, 70
    span = width - left - right
    height = row * len(items) + 6
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for i, (name, amount) in enumerate(items):
        y = 3 + i * row
        w = 0 if top == 0 else float(amount / top) * span
        parts.append(
            f'<text x="{left - 6}" y="{y + row * 0.65:.1f}" text-anchor="end" font-size="12">{escape(name[:16])}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{BAR}" rx="2"/>')
        parts.append(
            f'<text x="{left + w + 4:.1f}" y="{y + row * 0.65:.1f}" '
            f'font-size="12">{escape(format_amount(amount))}</text>'
        )
    if mark is not None and top:
        x = left + float(mark / top) * span
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height}" stroke="#c0392b" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
