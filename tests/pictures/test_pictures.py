"""`clientctl graph --layers` and `clientctl cidr map` (issue #7, part 7): the SVGs are parsed with
xml.etree and checked for nodes, edges, labels and proportional geometry. When chromium is installed the
pictures are also rendered headless (skipped otherwise)."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from clientctl.layers import LAYERS
from clientctl.pictures import cidr_map, layer_graph
from tests.helpers import Runner

NS = {"s": "http://www.w3.org/2000/svg"}
EXPECTED_EDGES = {
    ("01-foundation", "02-platform"),
    ("01-foundation", "03-database"),
    ("01-foundation", "04-standalone-compute"),
    ("02-platform", "05-cluster-services"),
    ("05-cluster-services", "06-observability"),
}


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text.split("\n", 1)[1] if text.startswith("<?xml") else text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter("{http://www.w3.org/2000/svg}text")]


def test_layer_graph_svg_nodes_edges_ranks(tmp_path: Path, cli: Runner) -> None:
    out = tmp_path / "layers.svg"
    result = cli("graph", "--layers", "-o", str(out))  # format from the suffix
    assert result.code == 0, result.text
    root = parse(out.read_text())
    nodes = {g.get("id", "")[5:]: g for g in root.iterfind(".//s:g[@class='node']", NS)}
    assert set(nodes) == {layer.name for layer in LAYERS}
    rank = {name: int(g.get("data-rank", "-1")) for name, g in nodes.items()}
    assert rank == {
        "01-foundation": 0,
        "02-platform": 1,
        "03-database": 1,
        "04-standalone-compute": 1,
        "05-cluster-services": 2,
        "06-observability": 3,
    }
    boxes = {}
    for name, g in nodes.items():
        rect = g.find("s:rect", NS)
        assert rect is not None
        boxes[name] = tuple(float(rect.get(k, "0")) for k in ("x", "y", "width", "height"))
        assert name in texts(g) and g.find("s:title", NS) is not None
    edges = {(g.get("data-from"), g.get("data-to")): g for g in root.iterfind(".//s:g[@class='edge']", NS)}
    assert set(edges) == EXPECTED_EDGES
    for (src, dst), g in edges.items():
        path = g.find("s:path", NS)
        assert path is not None and path.get("marker-end") == "url(#arrow)"
        numbers = [float(v) for v in path.get("d", "").replace("M", " ").replace("C", " ").replace(",", " ").split()]
        sx, sy, sw, sh = boxes[str(src)]
        dx, dy, dw, _ = boxes[str(dst)]
        assert (numbers[0], numbers[1]) == (sx + sw / 2, sy + sh)  # leaves the bottom of the dependency
        assert (numbers[-2], numbers[-1]) == (dx + dw / 2, dy)  # enters the top of the dependent
        assert dy > sy + sh
    placed = list(boxes.values())
    for i, a in enumerate(placed):  # no two boxes overlap
        for b in placed[i + 1 :]:
            assert a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
    assert "Prometheus, Grafana, Loki, Tempo, Fluent" in " ".join(texts(root))


def test_layer_graph_dot(cli: Runner, tmp_path: Path) -> None:
    result = cli("graph", "--layers", "--format", "dot")
    assert result.code == 0, result.text
    assert result.out.splitlines()[1] == "digraph layers {"
    for src, dst in EXPECTED_EDGES:
        assert f'  "{src}" -> "{dst}";' in result.out
    assert result.out.count(" -> ") == len(EXPECTED_EDGES)
    assert cli("graph", "--layers", "-o", str(tmp_path / "l.dot")).code == 0
    assert (tmp_path / "l.dot").read_text() == result.out


def test_layer_graph_rejects_a_cycle() -> None:
    with pytest.raises(ValueError, match="cycle"):
        layer_graph.ranks(["a", "b"], [("a", "b"), ("b", "a")])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("graph",), "--layers"),
        (("graph", "--layers", "--format", "png"), "'png' is not one of"),
        (("cidr", "map", "--bogus"), "No such option '--bogus'"),
    ],
)
def test_picture_commands_bad_arguments(repo: Path, cli: Runner, args: tuple[str, ...], needle: str) -> None:
    result = cli(*args, cwd=repo)
    assert result.code == 2 and needle in result.text and "Traceback" not in result.text


def test_graph_unwritable_output(cli: Runner, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = cli("graph", "--layers", "-o", str(blocker / "x.svg"))
    assert result.code == 2 and "cannot write" in result.text and "Traceback" not in result.text


def segments(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g") if "segment" in g.get("class", "").split()]


def test_cidr_map_blocks_labels_and_proportions(repo: Path, cli: Runner) -> None:
    ledger = repo / "cidr-registry.yaml"
    ledger.write_text(
        ledger.read_text().replace(
            "released: []",
            "released:\n- vpc_cidr: 10.90.0.0/16\n  client: hooli\n  region: us-east-2\n  environment: production\n"
            "  released_date: '2026-01-01'\n  quarantine_until: '2999-01-01'\n",
        )
    )
    out = repo / "map.svg"
    result = cli("cidr", "map", "-o", str(out), cwd=repo)
    assert result.code == 0, result.text
    root = parse(out.read_text())
    pools = root.findall(".//s:g[@class='pool']", NS)
    assert [p.get("data-pool") for p in pools] == ["clients-10"]
    segs = segments(pools[0])
    by_label = {g.get("data-label"): g for g in segs}
    expected = {"acme-corp": "10.100.0.0/16", "globex": "10.101.0.0/16", "initech": "10.102.0.0/16"}
    pool_first, pool_size = 10 * 2**24 + 64 * 2**16, 2**22
    for name, cidr in expected.items():
        g = by_label[name]
        assert g.get("data-kind") == "client" and g.get("data-cidrs") == cidr
        assert name in texts(g)
        title = g.find("s:title", NS)
        assert title is not None and cidr in (title.text or "")
        rect = g.find("s:rect", NS)
        assert rect is not None
        offset = (int(cidr.split(".")[1]) - 64) * 2**16
        assert float(rect.get("x", "")) == pytest.approx(cidr_map.BAR_X + offset / pool_size * cidr_map.BAR_W, abs=0.01)
        assert float(rect.get("width", "")) == pytest.approx(cidr_map.BAR_W / 64, abs=0.01)
    quarantined = by_label["hooli"]
    assert quarantined.get("data-kind") == "quarantined" and quarantined.get("data-cidrs") == "10.90.0.0/16"
    reserved = [g for g in segs if g.get("data-kind") == "reserved"]
    assert [g.get("data-cidrs") for g in reserved] == ["10.127.0.0/16"]
    assert {g.get("data-kind") for g in segs} == {"client", "reserved", "quarantined", "free"}
    # segments tile the band: contiguous, in order, proportional widths summing to the bar
    xs = [(float(r.get("x", "")), float(r.get("width", ""))) for g in segs if (r := g.find("s:rect", NS)) is not None]
    assert xs[0][0] == cidr_map.BAR_X
    for (x1, w1), (x2, _) in itertools.pairwise(xs):
        assert x1 + w1 == pytest.approx(x2, abs=0.02)
    assert sum(w for _, w in xs) == pytest.approx(cidr_map.BAR_W, abs=0.1)
    assert pool_first == int.from_bytes(bytes(int(o) for o in segs[0].get("data-first", "").split(".")), "big")
    legend = {g.get("data-kind") for g in root.iterfind(".//s:g[@class='legend-item']", NS)}
    assert legend == {"client", "reserved", "quarantined", "free"}
    assert "59 of 64 /16 blocks free" in " ".join(texts(root))  # 3 clients, 1 reserved, 1 quarantined


def test_cidr_map_one_band_per_pool_to_stdout(repo: Path, cli: Runner) -> None:
    platform = repo / "platform.yaml"
    platform.write_text(
        platform.read_text().replace(
            "      description: Client VPCs (the runbook's 10.100-10.102 examples live here)\n",
            "      description: Client VPCs (the runbook's 10.100-10.102 examples live here)\n"
            "    - name: overflow\n      cidr: 10.160.0.0/12\n      regions: [us-east-2]\n",
        )
    )
    result = cli("cidr", "map", cwd=repo)
    assert result.code == 0, result.text
    root = parse(result.out)
    pools = root.findall(".//s:g[@class='pool']", NS)
    assert [p.get("data-pool") for p in pools] == ["clients-10", "overflow"]
    overflow = segments(pools[1])
    assert [g.get("data-kind") for g in overflow] == ["free"] and overflow[0].get("data-cidrs") == "10.160.0.0/12"


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed (apt-get install -y chromium)")
def test_headless_chromium_renders_both(repo: Path, tmp_path: Path, cli: Runner) -> None:
    for args, name in ((("graph", "--layers"), "layers"), (("cidr", "map"), "map")):
        svg_path = tmp_path / f"{name}.svg"
        assert cli(*args, "-o", str(svg_path), cwd=repo).code == 0
        png = tmp_path / f"{name}.png"
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={tmp_path / 'chromium'}",
                "--window-size=1200,700",
                f"--screenshot={png}",
                svg_path.as_uri(),
            ],
            capture_output=True,
            timeout=90,
            check=False,
        )
        assert png.is_file() and png.stat().st_size > 5000, f"chromium did not render {svg_path}"


@pytest.mark.parametrize(
    ("file", "args"),
    [("layers.svg", ("graph", "--layers", "--format", "svg")), ("cidr-map.svg", ("cidr", "map"))],
)
def test_committed_architecture_pictures_are_current(
    tmp_path: Path, cli: Runner, file: str, args: tuple[str, ...]
) -> None:
    """docs/architecture/ (the runbook's "Architecture Diagrams") holds what the commands generate now."""
    repo_root = Path(__file__).resolve().parents[2]
    out = tmp_path / file
    result = cli(*args, "-o", str(out), cwd=repo_root)
    assert result.code == 0, result.text
    assert out.read_bytes() == (repo_root / "docs" / "architecture" / file).read_bytes(), (
        f"regenerate: clientctl {' '.join(args)} -o docs/architecture/{file}"
    )
