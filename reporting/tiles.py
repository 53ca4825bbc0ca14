"""The 38 provinces as a tile grid: one square each, placed roughly where the province
lies (Sumatra at the left, Papua at the right, Java and Nusa Tenggara at the bottom).

No licensed province boundaries are vendored, so the ministry's map is a grid rather
than a choropleth; every tile is the same size, which also keeps a small province
(DKI Jakarta, DIY) as visible as Papua. Short names are the ISO 3166-2:ID codes."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

COLUMNS, ROWS = 15, 6

# province code -> (ISO 3166-2:ID short name, column, row), columns west to east.
TILES: dict[str, tuple[str, int, int]] = {
    "11": ("AC", 1, 1),
    "12": ("SU", 2, 2),
    "14": ("RI", 3, 2),
    "21": ("KR", 4, 2),
    "13": ("SB", 2, 3),
    "15": ("JA", 3, 3),
    "19": ("BB", 4, 3),
    "17": ("BE", 2, 4),
    "16": ("SS", 3, 4),
    "18": ("LA", 4, 4),
    "36": ("BT", 4, 5),
    "31": ("JK", 5, 5),
    "32": ("JB", 5, 6),
    "33": ("JT", 6, 5),
    "34": ("YO", 6, 6),
    "35": ("JI", 7, 5),
    "51": ("BA", 8, 6),
    "52": ("NB", 9, 6),
    "53": ("NT", 10, 6),
    "61": ("KB", 5, 2),
    "62": ("KT", 6, 3),
    "63": ("KS", 7, 3),
    "64": ("KI", 7, 2),
    "65": ("KU", 7, 1),
    "76": ("SR", 8, 3),
    "73": ("SN", 8, 4),
    "72": ("ST", 9, 3),
    "74": ("SG", 9, 4),
    "75": ("GO", 10, 2),
    "71": ("SA", 11, 2),
    "82": ("MU", 12, 2),
    "81": ("MA", 12, 4),
    "96": ("PD", 13, 3),
    "92": ("PB", 14, 3),
    "94": ("PT", 14, 4),
    "91": ("PA", 15, 3),
    "95": ("PE", 15, 4),
    "93": ("PS", 15, 5),
}
SHADES = 5  # colour classes, from the lowest values to the highest


@dataclass(frozen=True)
class Tile:
    code: str
    short: str
    name: str
    column: int
    row: int
    value: float | int | None
    shown: str  # the value written out
    shade: int  # 0 (none) .. SHADES
    url: str


def shade_of(value: float | int | None, top: float | int) -> int:
    """1 to SHADES by the share of the largest value (0: no value or nothing)."""
    if not value or not top or value <= 0:
        return 0
    return max(1, min(SHADES, math.ceil(value * SHADES / top)))


def tiles_of(children: list, *, shown: Callable[[Any], str]) -> list[Tile]:
    """The nation's provinces (reporting.dashboard_shown.ChildShown rows) as tiles,
    shaded by their metric against the largest."""
    values = [c.metric for c in children if c.metric is not None]
    top = max(values, default=0)
    tiles = []
    for child in children:
        area = child.row.area
        short, column, row = TILES.get(area.code, (area.code, 1, ROWS + 1))
        tiles.append(
            Tile(
                area.code,
                short,
                area.name,
                column,
                row,
                child.metric,
                shown(child.metric),
                shade_of(child.metric, top),
                child.url,
            )
        )
    return tiles


def legend_of(tiles: list[Tile], *, shown: Callable[[Any], str]) -> list[tuple[int, str]]:
    """Each shade in use with the values of its provinces (lowest to highest), so the
    legend never names a range no province falls in."""
    legend = []
    for shade in range(1, SHADES + 1):
        values = [t.value for t in tiles if t.shade == shade and t.value is not None]
        if values:
            low, high = min(values), max(values)
            legend.append((shade, shown(low) if low == high else f"{shown(low)} – {shown(high)}"))
    return legend
