"""The address pools as an SVG map: one band per pool, each client's VPC block, reserved ranges,
quarantined (released) blocks and free space, with widths proportional to the number of addresses.

Every segment is a ``<g class="segment">`` with ``data-kind``, ``data-label``, ``data-first``/``data-last``
(addresses) and a ``<title>`` tooltip, so a browser shows details on hover and tests can parse it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from clientctl.ipam.allocate import PoolCapacity, capacity
from clientctl.ipam.cidr import VPC_AVOID, VPC_FORBIDDEN, CidrError, parse_network
from clientctl.ipam.ledger import Ledger
from clientctl.pictures import svg
from clientctl.registry.addresses import used_ranges
from clientctl.registry.loader import Registry

Kind = Literal["client", "reserved", "quarantined", "free"]

WIDTH = 1200
MARGIN = 24
BAR_X = MARGIN
BAR_W = WIDTH - 2 * MARGIN
BAR_H = 84
LABEL_SIZE = 11

FILL: dict[Kind, str] = {
    "client": "#3b78e7",
    "reserved": "#9aa0a6",
    "quarantined": "#f29900",
    "free": "#e6f4ea",
}
TEXT_FILL: dict[Kind, str] = {
    "client": "#ffffff",
    "reserved": "#202124",
    "quarantined": "#202124",
    "free": "#137333",
}
LEGEND: tuple[tuple[Kind, str], ...] = (
    ("client", "client VPC"),
    ("reserved", "reserved (platform.yaml, EKS service CIDR, VPN peers, forbidden)"),
    ("quarantined", "quarantined (released, not yet reusable)"),
    ("free", "free"),
)


@dataclass(frozen=True)
class Segment:
    kind: Kind
    first: int
    last: int
    label: str
    detail: str

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def cidrs(self) -> list[str]:
        first, last = ipaddress.IPv4Address(self.first), ipaddress.IPv4Address(self.last)
        return [str(n) for n in ipaddress.summarize_address_range(first, last)]


@dataclass(frozen=True)
class PoolBand:
    name: str
    cidr: str
    description: str
    regions: tuple[str, ...] | None
    first: int
    last: int
    segments: tuple[Segment, ...]
    capacity: PoolCapacity

    @property
    def size(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class _Item:
    first: int
    last: int
    kind: Kind
    label: str
    detail: str


def _items(registry: Registry, ledger: Ledger, today: dt.date) -> list[_Item]:
    items: list[_Item] = []

    def add(text: str | None, kind: Kind, label: str, detail: str) -> None:
        if text is None:
            return
        with contextlib.suppress(CidrError):  # invalid CIDRs are reported by `clientctl validate`
            net = parse_network(text)
            items.append(_Item(int(net.network_address), int(net.broadcast_address), kind, label, f"{net}: {detail}"))

    for name in sorted(registry.clients):
        client = registry.clients[name].model
        add(
            client.network.vpc_cidr,
            "client",
            name,
            f"client {name} ({client.tier}, {client.region}/{client.environment})",
        )
        if client.vpn.enabled:
            add(client.vpn.local_network_cidr, "reserved", f"VPN {name}", f"network behind {name}'s VPN")
    for released in ledger.quarantined(today):
        add(
            str(released.vpc_cidr),
            "quarantined",
            released.client,
            f"released by {released.client} on {released.released_date}, quarantined until {released.quarantine_until}",
        )
    net = registry.platform.network
    for reserved in net.reserved:
        add(reserved.cidr, "reserved", "reserved", f"reserved: {reserved.reason}")
    add(net.eks_service_cidr, "reserved", "EKS services", "EKS service CIDR (network.eks_service_cidr)")
    for special in (*VPC_FORBIDDEN, *VPC_AVOID):
        add(str(special.network), "reserved", "forbidden", special.name)
    order = {"client": 0, "quarantined": 1, "reserved": 2, "free": 3}
    return sorted(items, key=lambda i: (i.first, order[i.kind]))


def _segments(first: int, last: int, items: Sequence[_Item], prefix: int) -> list[Segment]:
    """Cut [first, last] into segments: the items (clipped; an overlapped part goes to the first one) and
    free gaps between them."""
    segments: list[Segment] = []
    cursor = first

    def free(upto: int) -> None:
        gap = Segment("free", cursor, upto, "free", "")
        blocks = _aligned_blocks(cursor, upto, prefix)
        cidrs = ", ".join(gap.cidrs()[:4]) + (" ..." if len(gap.cidrs()) > 4 else "")
        detail = f"free: {cidrs} ({gap.size:,} addresses, {blocks} free /{prefix} block(s))"
        segments.append(Segment("free", cursor, upto, "free", detail))

    for item in items:
        if item.last < first or item.first > last:
            continue
        start, end = max(item.first, first, cursor), min(item.last, last)
        if start > end:
            continue  # fully covered by an earlier segment (an overlap `clientctl validate` reports)
        if start > cursor:
            free(start - 1)
        segments.append(Segment(item.kind, start, end, item.label, item.detail))
        cursor = end + 1
    if cursor <= last:
        free(last)
    return segments


def _aligned_blocks(first: int, last: int, prefix: int) -> int:
    size = 1 << (32 - prefix)
    start = (first + size - 1) // size * size
    return max(0, (last + 1 - start) // size)


def pool_bands(registry: Registry, ledger: Ledger, today: dt.date) -> list[PoolBand]:
    """One band per pool of platform.yaml, in file order."""
    items = _items(registry, ledger, today)
    used = used_ranges(registry, ledger, today)
    prefix = registry.platform.network.vpc_prefix_length
    bands: list[PoolBand] = []
    for pool in registry.platform.network.pools:
        try:
            net = parse_network(pool.cidr)
        except CidrError:
            continue
        first, last = int(net.network_address), int(net.broadcast_address)
        bands.append(
            PoolBand(
                name=pool.name,
                cidr=str(net),
                description=pool.description,
                regions=tuple(pool.regions) if pool.regions is not None else None,
                first=first,
                last=last,
                segments=tuple(_segments(first, last, items, prefix)),
                capacity=capacity(pool, prefix, used),
            )
        )
    return bands


def outside_pools(registry: Registry, bands: Sequence[PoolBand]) -> list[str]:
    """Clients whose VPC is in no pool (validation reports them; the map notes them)."""
    found = []
    for name in sorted(registry.clients):
        with contextlib.suppress(CidrError):
            net = parse_network(registry.clients[name].model.network.vpc_cidr)
            lo, hi = int(net.network_address), int(net.broadcast_address)
            if not any(b.first <= lo and hi <= b.last for b in bands):
                found.append(f"{name} ({net})")
    return found


def x_of(band: PoolBand, address: int) -> float:
    """Horizontal position of ``address`` in the band: proportional to its offset in the pool."""
    return BAR_X + (address - band.first) / band.size * BAR_W


def _fit(text: str, room: float) -> str:
    if svg.text_width(text, LABEL_SIZE) <= room:
        return text
    chars = int(room / (LABEL_SIZE * svg.CHAR_WIDTH)) - 1
    return text[: max(chars, 1)] + "…" if chars >= 2 else ""


STYLE = (
    ".segment rect{stroke:#ffffff;stroke-width:1}"
    ".segment:hover rect{stroke:#202124;stroke-width:2}"
    ".seglabel{font-size:11px}"
    ".pooltitle{font-size:14px;font-weight:bold;fill:#202124}"
    ".poolinfo{font-size:12px;fill:#5f6368}"
    ".tick{font-size:10px;fill:#5f6368}"
    ".legend{font-size:12px;fill:#202124}"
    ".note{font-size:12px;fill:#c5221f}"
)


def to_svg(bands: Sequence[PoolBand], outside: Sequence[str] = (), title: str = "clientctl CIDR pools") -> str:
    band_h = 24 + 18 + BAR_H + 34
    height = MARGIN + 30 + 30 + len(bands) * band_h + (22 if outside else 0) + MARGIN
    root = svg.document(WIDTH, height, title, STYLE)
    svg.add(root, "text", title, x=MARGIN, y=MARGIN + 10, class_="pooltitle")
    legend = svg.add(root, "g", id="legend")
    x = float(MARGIN)
    y = MARGIN + 30
    for kind, text in LEGEND:
        item = svg.add(legend, "g", class_="legend-item")
        item.set("data-kind", kind)
        svg.add(item, "rect", x=x, y=y, width=14, height=14, fill=FILL[kind], stroke="#5f6368", stroke_width=0.5)
        svg.add(item, "text", text, x=x + 20, y=y + 11, class_="legend")
        x += 20 + len(text) * 12 * 0.52 + 24
    y += 30
    for band in bands:
        g = svg.add(root, "g", class_="pool", id=f"pool-{band.name}")
        g.set("data-pool", band.name)
        g.set("data-cidr", band.cidr)
        regions = ", ".join(band.regions) if band.regions is not None else "all regions"
        svg.add(g, "title", f"pool {band.name} {band.cidr} ({regions})")
        svg.add(g, "text", f"pool {band.name}  {band.cidr}", x=MARGIN, y=y + 14, class_="pooltitle")
        cap = band.capacity
        info = (
            f"{band.description + ' · ' if band.description else ''}{regions} · {band.size:,} addresses · "
            f"{cap.free} of {cap.total} /{cap.prefix_length} blocks free ({cap.used_percent:.0f}% used)"
        )
        svg.add(g, "text", info, x=MARGIN, y=y + 32, class_="poolinfo")
        top = y + 42
        for seg in band.segments:
            sx, sw = x_of(band, seg.first), seg.size / band.size * BAR_W
            s = svg.add(g, "g", class_=f"segment {seg.kind}")
            s.set("data-kind", seg.kind)
            s.set("data-label", seg.label)
            s.set("data-first", str(ipaddress.IPv4Address(seg.first)))
            s.set("data-last", str(ipaddress.IPv4Address(seg.last)))
            s.set("data-cidrs", " ".join(seg.cidrs()))
            svg.add(s, "title", seg.detail)
            svg.add(s, "rect", x=sx, y=top, width=sw, height=BAR_H, fill=FILL[seg.kind])
            cx, cy = sx + sw / 2, top + BAR_H / 2
            attrs: dict[str, str | float]
            if svg.text_width(seg.label, LABEL_SIZE) + 6 <= sw:
                attrs = {"x": cx, "y": cy + 4}
                text = seg.label
            else:  # vertical, bottom to top, when the block is narrow
                attrs = {"x": cx, "y": cy, "transform": f"rotate(-90 {svg.num(cx)} {svg.num(cy)})", "dy": "0.35em"}
                text = _fit(seg.label, BAR_H - 6) if sw >= LABEL_SIZE else ""
            if text:
                svg.add(s, "text", text, text_anchor="middle", class_="seglabel", fill=TEXT_FILL[seg.kind], **attrs)
        svg.add(g, "rect", x=BAR_X, y=top, width=BAR_W, height=BAR_H, fill="none", stroke="#5f6368")
        for i in range(5):
            address = band.first + (band.size * i) // 4
            tx = x_of(band, address)
            svg.add(g, "line", x1=tx, y1=top + BAR_H, x2=tx, y2=top + BAR_H + 5, stroke="#5f6368")
            anchor = "start" if i == 0 else "end" if i == 4 else "middle"
            label = (
                str(ipaddress.IPv4Address(min(address, band.last))) if i < 4 else str(ipaddress.IPv4Address(band.last))
            )
            svg.add(g, "text", label, x=tx, y=top + BAR_H + 17, text_anchor=anchor, class_="tick")
        y += band_h
    if outside:
        svg.add(root, "text", "outside every pool: " + ", ".join(outside), x=MARGIN, y=y + 6, class_="note")
    return svg.to_text(root)
