"""A route map drawn without map tiles: Yunnan's outline and the story's places on a flat projection.

Everything is computed here and drawn as inline SVG by the template, so the page needs no network, no
script and no image file. The outline is a rough hand-simplified trace of the province (a sketch, not a
survey): enough to show "picked in the north-west, packed in Kunming, shipped east".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from xinren.trace.story import Story

# (longitude, latitude), clockwise from the north-western tip near Deqin.
YUNNAN_OUTLINE: tuple[tuple[float, float], ...] = (
    (98.6, 28.8), (99.2, 29.2), (99.5, 28.6), (100.2, 28.3), (100.4, 27.8), (100.9, 27.9), (101.2, 27.1),
    (101.8, 26.6), (102.1, 26.2), (102.7, 26.4), (103.0, 27.3), (103.5, 27.8), (103.9, 28.3), (104.4, 28.0),
    (105.1, 27.9), (105.3, 27.5), (104.5, 27.0), (104.3, 26.4), (104.6, 25.6), (104.9, 24.8), (105.5, 24.7),
    (105.9, 24.2), (106.2, 23.3), (105.5, 23.1), (104.8, 22.9), (104.0, 22.5), (103.3, 22.8), (102.5, 22.7),
    (102.1, 22.4), (101.8, 21.6), (101.1, 21.15), (100.2, 21.5), (99.9, 22.1), (99.2, 22.1), (99.5, 22.9),
    (98.9, 23.2), (98.7, 24.1), (97.7, 23.9), (97.5, 24.8), (98.2, 25.5), (98.7, 25.9), (98.6, 27.5),
    (98.3, 27.7), (98.6, 28.3),
)
KUNMING = (102.71, 25.04)
PROVINCE_LABEL = (100.7, 24.2)
WIDTH = 400.0
MAX_HEIGHT = 420.0
PADDING = 0.2  # degrees around everything drawn
DASHED = mark_safe(' stroke-dasharray="4 3"')
MARGIN = 18.0  # pixels, so that a stop's marker on the edge is not cut off


@dataclass(frozen=True)
class Stop:
    """One place on the map, numbered in the order the story first reaches it."""

    number: int
    x: float
    y: float
    name: str
    is_origin: bool
    off_map: bool = False


def _inside(lon: float, lat: float, frame: tuple[float, float, float, float]) -> bool:
    west, south, east, north = frame
    return west <= lon <= east and south <= lat <= north


def _clamp(lon: float, lat: float, frame: tuple[float, float, float, float]) -> tuple[float, float]:
    """Where the line from the frame's centre towards a far place leaves the frame."""
    west, south, east, north = frame
    cx, cy = (west + east) / 2, (south + north) / 2
    dx, dy = lon - cx, lat - cy
    factors = [
        (east - cx) / dx if dx > 0 else (west - cx) / dx if dx < 0 else math.inf,
        (north - cy) / dy if dy > 0 else (south - cy) / dy if dy < 0 else math.inf,
    ]
    factor = min(factors)
    return cx + dx * factor, cy + dy * factor


_NUDGES = ((0, 0), (24, 0), (-24, 0), (0, -24), (0, 24), (18, -18), (-18, 18), (18, 18), (-18, -18))


def _apart(point: tuple[float, float], stops: list[Stop]) -> tuple[float, float]:
    """Nudge a marker that would hide another (a farm next to the origin town): it is a sketch, not a survey."""
    for dx, dy in _NUDGES:
        x, y = round(point[0] + dx, 1), round(point[1] + dy, 1)
        if all((x - s.x) ** 2 + (y - s.y) ** 2 >= 22**2 for s in stops):
            return x, y
    return point


def route_map(story: Story) -> dict[str, Any] | None:
    """Projected outline, stops and route for the template; None when nothing has coordinates."""
    places: list[tuple[float, float, str, bool]] = []
    origin = story["product"]["origin"]
    if origin["latitude"] is not None and origin["longitude"] is not None:
        places.append((origin["longitude"], origin["latitude"], origin["region"], True))
    for event in story["events"]:
        place = event.get("place")
        if place and place["latitude"] is not None and place["longitude"] is not None:
            places.append((place["longitude"], place["latitude"], place["name"], False))
    if not places:
        return None

    yunnan = (
        min(p[0] for p in YUNNAN_OUTLINE) - PADDING,
        min(p[1] for p in YUNNAN_OUTLINE) - PADDING,
        max(p[0] for p in YUNNAN_OUTLINE) + PADDING,
        max(p[1] for p in YUNNAN_OUTLINE) + PADDING,
    )
    # A Yunnan story keeps Yunnan large: a far destination (a Shanghai warehouse) is pinned to the edge in
    # its direction and marked as off the map. A story without Yunnan gets a frame around its own places.
    if any(_inside(lon, lat, yunnan) for lon, lat, _name, _origin in places):
        west, south, east, north = yunnan
    else:
        west = min(p[0] for p in places) - PADDING
        east = max(p[0] for p in places) + PADDING
        south = min(p[1] for p in places) - PADDING
        north = max(p[1] for p in places) + PADDING
    frame = (west, south, east, north)
    # Equirectangular with the east-west scale of the middle latitude: close enough at this size.
    squeeze = math.cos(math.radians((north + south) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((east - west) * squeeze)
    if (north - south) * scale > MAX_HEIGHT - 2 * MARGIN:
        scale = (MAX_HEIGHT - 2 * MARGIN) / (north - south)
    width = (east - west) * squeeze * scale + 2 * MARGIN
    height = (north - south) * scale + 2 * MARGIN

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(MARGIN + (lon - west) * squeeze * scale, 1), round(MARGIN + (north - lat) * scale, 1)

    stops: list[Stop] = []
    index: dict[tuple[float, float], Stop] = {}
    route: list[tuple[float, float]] = []
    for lon, lat, name, is_origin in places:
        key = (round(lon, 3), round(lat, 3))
        stop = index.get(key)
        if stop is None:
            off_map = not _inside(lon, lat, frame)
            x, y = _apart(project(*_clamp(lon, lat, frame)) if off_map else project(lon, lat), stops)
            stop = Stop(number=len(stops) + 1, x=x, y=y, name=name, is_origin=is_origin, off_map=off_map)
            stops.append(stop)
            index[key] = stop
        if not route or route[-1] != (stop.x, stop.y):
            route.append((stop.x, stop.y))
    outline = " ".join(f"{x},{y}" for x, y in (project(lon, lat) for lon, lat in YUNNAN_OUTLINE))
    kunming = project(*KUNMING)
    # The capital is a landmark for the eye; leave it out where a stop already sits on it.
    show_kunming = all((kunming[0] - s.x) ** 2 + (kunming[1] - s.y) ** 2 >= 30**2 for s in stops)
    label = project(*PROVINCE_LABEL)
    svg = _svg(
        width=round(width, 1),
        height=round(height, 1),
        outline=outline,
        route=" ".join(f"{x},{y}" for x, y in route),
        stops=tuple((stop.x, stop.y, stop.number, stop.is_origin, stop.off_map) for stop in stops),
        kunming=kunming if show_kunming else None,
        label=(label[0], label[1], round(min(24.0, max(12.0, scale * 0.5)), 1)),
        language=translation.get_language(),
    )
    return {"svg": svg, "stops": stops, "event_stops": _event_stops(story, index)}


@lru_cache(maxsize=256)
def _svg(
    *,
    width: float,
    height: float,
    outline: str,
    route: str,
    stops: tuple[tuple[float, float, int, bool, bool], ...],
    kunming: tuple[float, float] | None,
    label: tuple[float, float, float],
    language: str | None,
) -> SafeString:
    """The map as inline SVG. Only numbers and our own translated labels go in: no user text.

    Items of one lot share their map, so the publisher draws it once (hence the cache).
    """
    # A stop beyond the frame is drawn hollow on the edge, pointing the way.
    markers = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="13" fill="{}" stroke="{}" stroke-width="3"{}/>'
        '<text x="{}" y="{}" dy="5" text-anchor="middle" font-size="15" font-weight="700" fill="{}">{}</text>',
        (
            (x, y, "#fff" if off else color, color if off else "#fff", DASHED if off else "",
             x, y, color if off else "#fff", number)
            for x, y, number, origin, off in stops
            for color in ("#25613a" if origin else "#1d5487",)
        ),
    )
    line = (
        format_html(
            '<polyline points="{}" fill="none" stroke="#9c3a1f" stroke-width="3.5" stroke-dasharray="7 5" '
            'stroke-linecap="round" stroke-linejoin="round"/>',
            route,
        )
        if " " in route
        else ""
    )
    landmark = (
        format_html(
            '<circle cx="{}" cy="{}" r="4" fill="#4f4640"/>'
            '<text x="{}" y="{}" dx="7" dy="16" font-size="14" fill="#4f4640">{}</text>',
            kunming[0], kunming[1], kunming[0], kunming[1], gettext("昆明"),
        )
        if kunming is not None
        else ""
    )
    return format_html(
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polygon points="{}" fill="#dde8cf" stroke="#6f8f5c" stroke-width="2" stroke-linejoin="round"/>'
        '<text x="{}" y="{}" font-size="{}" fill="#6f8f5c" fill-opacity=".8" text-anchor="middle" '
        'font-weight="700">{}</text>'
        '{}{}{}</svg>',
        width, height, gettext("路线示意图"), outline,
        label[0], label[1], label[2], gettext("云南"),
        landmark, line, markers,
    )


def _event_stops(story: Story, index: Mapping[tuple[float, float], Stop]) -> list[int | None]:
    """For each event of the timeline, the number of its stop on the map (or None)."""
    numbers: list[int | None] = []
    for event in story["events"]:
        place = event.get("place")
        stop = None
        if place and place["latitude"] is not None and place["longitude"] is not None:
            stop = index.get((round(place["longitude"], 3), round(place["latitude"], 3)))
        numbers.append(stop.number if stop else None)
    return numbers
