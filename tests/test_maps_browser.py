"""The maps in a real browser: Debian chromium through playwright, every http(s) request blocked.

Never runs ``playwright install``: it drives the system ``/usr/bin/chromium`` (scripts/test.sh
installs it with apt) and skips when it is missing.  Screenshots and the measured boxes are
written to ``artifacts/maps/`` (gitignored) for a human to look at.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest
from _browser import ARTIFACTS, BROWSER_MARKS, Page, inside, launch_browser, overlap
from _maps_data import (
    BREAKOUT,
    XSS,
    joint_frame,
    redline_frame,
    report_frame,
    scheme_frame,
    synthetic_report,
)

import suzhou_geo as sg

pytestmark = BROWSER_MARKS

VIEWPORTS = [(1280, 720), (1920, 1080)]
COUNTY_LEVEL = ("姑苏区", "虎丘区", "吴中区", "相城区", "吴江区", "常熟市", "张家港市", "昆山市", "太仓市")
MUST_SHOW = ("昆山市", "太仓市", "常熟市", "吴江区", "张家港市")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def browser():
    yield from launch_browser()


@pytest.fixture(scope="module")
def report_map(tmp_path_factory) -> Path:
    """``suzhou-geo report -o r --offline`` on the bundled data: its map.html."""
    out = tmp_path_factory.mktemp("report")
    res = sg.run_report(out, offline=True)
    return res.files["map.html"]


@pytest.fixture(scope="module", params=VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def page(request, browser, report_map):
    p = Page(browser, report_map, viewport=request.param)
    yield p
    p.close()


def _measure(p: Page) -> dict:
    return {k: p.rect(s) for k, s in {
        "control": ".sg-layers", "legend": ".sg-legend", "zoom": ".leaflet-control-zoom",
        "scale": ".leaflet-control-scale", "attribution": ".leaflet-control-attribution"}.items()}


def _record(name: str, value) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "measurements.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = value
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1))


# --------------------------------------------------------------------------- the offline report map


def test_offline_report_makes_no_request_and_no_error(page, report_map):
    assert page.requests == [] and page.errors == []
    assert page.js("document.querySelectorAll('.leaflet-tile').length") == 0
    assert page.js("document.querySelectorAll('.leaflet-overlay-pane path').length") > 300
    page.screenshot(f"report_offline_{page.width}x{page.height}.png")
    _record("report_map_bytes", report_map.stat().st_size)


def test_county_level_names_are_visible(page):
    boxes = _measure(page)
    names = {n["text"]: n for n in page.place_names()}

    def visible(n):
        return (n["shown"] and inside(n["rect"], page.width, page.height)
                and not any(overlap(n["rect"], boxes[k]) for k in ("legend", "control", "zoom", "scale")))

    shown = [t for t in COUNTY_LEVEL if visible(names[t])]
    assert set(MUST_SHOW) <= set(shown), shown
    assert len(shown) >= 8, shown
    assert visible(names["太湖"]) and visible(names["阳澄湖"])
    # where two names collide the less important one is hidden, so no two shown names overlap
    rects = [n["rect"] for n in names.values() if n["shown"]]
    assert not any(overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_expanded_layer_control_fits_and_overlaps_nothing(page):
    page.expand_control()
    boxes = _measure(page)
    page.screenshot(f"report_offline_control_{page.width}x{page.height}.png")
    _record(f"boxes_{page.width}x{page.height}", boxes)
    c = boxes["control"]
    assert inside(c, page.width, page.height), c
    assert page.js("(() => { const l = document.querySelector('.sg-layers-list'); "
                   "return l.scrollHeight <= l.clientHeight + 1; })()"), "the control scrolls"
    for other in ("legend", "zoom", "scale"):
        assert not overlap(c, boxes[other]), other
    for other in ("zoom", "scale"):
        assert not overlap(boxes["legend"], boxes[other]), other
    assert inside(boxes["legend"], page.width, page.height)
    entries = page.entries()
    _record("control_entries", [e["label"] for e in entries])
    assert 12 <= len(entries) <= 18
    page.collapse_control()


def test_conflict_popup_has_no_horizontal_overflow(page):
    conflict = next(e for e in page.entries() if e["label"] == "冲突 conflict")
    popup = page.open_popup(conflict["layers"][-1])  # the parcels drawn one by one
    page.screenshot(f"report_offline_popup_{page.width}x{page.height}.png")
    assert popup["scrollWidth"] <= popup["clientWidth"], popup
    assert popup["table"]["right"] <= popup["content"]["right"] + 0.5
    assert inside(popup["popup"], page.width, page.height)
    assert popup["labels"][:2] == ["判定 verdict", "理由 reasons"] and popup["values"][0] == "冲突 conflict"
    assert not {"case", "synthetic", "parcel_area_m2"} & set(popup["labels"])
    page.js("([m]) => { window[m].closePopup(); }", [page.map_var])


def test_every_group_toggles_its_layers(page):
    if page.width != 1280:
        pytest.skip("one viewport is enough")
    page.expand_control()
    bad = page.js(
        """([m]) => {
            const map = window[m], bad = [];
            const connected = l => l.getLayers ? l.getLayers().some(connected)
                                               : !!(l.getElement && l.getElement() && l.getElement().isConnected);
            for (const label of document.querySelectorAll('.sg-layers .sg-entry')) {
                const input = label.querySelector('input');
                if (input.disabled || input.type !== 'checkbox') continue;
                const layers = input.dataset.layers.split(' ').map(n => window[n]);
                const before = input.checked;
                input.click();
                const on = layers.map(l => map.hasLayer(l));
                const off = before ? (on.every(x => !x) && !layers.some(connected)) : on.every(x => x);
                input.click();
                if (!off || input.checked !== before || layers.some(l => map.hasLayer(l) !== before))
                    bad.push(label.textContent);
            }
            return bad;
        }""",
        [page.map_var],
    )
    assert bad == []
    assert page.errors == []
    page.collapse_control()


def test_legend_follows_the_layers_shown_and_collapses(page):
    if page.width != 1280:
        pytest.skip("one viewport is enough")
    legend = lambda: page.js("document.querySelector('.sg-legend-body').textContent")  # noqa: E731
    assert "冲突 conflict" in legend() and "一河三湖" not in legend()
    # one scale bar, metric only (no miles or feet)
    scale = page.js("[...document.querySelectorAll('.leaflet-control-scale-line')].map(e => e.textContent)")
    assert len(scale) == 1 and re.fullmatch(r"\d+ k?m", scale[0]), scale
    assert page.js("document.querySelectorAll('.sg-element').length") == 0  # no scheme on, no element name
    page.expand_control()
    page.frame.locator(".sg-entry", has_text="一河三湖").locator("input").click()
    # the scheme's elements are listed under its name, and their names are drawn, none over another
    assert "一河三湖" in legend() and "湖 lake" in legend()
    shown = page.js("""() => [...document.querySelectorAll('.sg-place')].filter(s => s.isConnected
        && s.style.visibility !== 'hidden').map(s => { const r = s.getBoundingClientRect();
        return {cls: s.className, left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })""")
    assert any("sg-element" in s["cls"] for s in shown)
    assert not [(a, b) for i, a in enumerate(shown) for b in shown[i + 1:] if overlap(a, b)]
    page.frame.locator(".sg-entry", has_text="一河三湖").locator("input").click()
    page.frame.locator(".sg-entry", has_text="冲突 conflict").locator("input").click()
    assert "冲突 conflict" not in legend() and "一河三湖" not in legend()
    page.frame.locator(".sg-entry", has_text="冲突 conflict").locator("input").click()
    page.collapse_control()
    open_height = page.rect(".sg-legend")["height"]
    page.frame.click(".sg-legend-bar")
    assert page.rect(".sg-legend")["height"] < 40 < open_height
    page.frame.click(".sg-legend-bar")


# --------------------------------------------------------------------------- safety


@pytest.fixture(scope="module")
def safety_page(browser, tmp_path_factory):
    m = sg.plan_map(scheme_frame(), redline_frame(), joint_frame(), report_frame(), offline=True,
                    title="<b>title</b>")
    path = sg.save_map(m, tmp_path_factory.mktemp("safety") / "safety.html")
    p = Page(browser, path)
    yield p
    p.close()


def test_injected_names_are_text_and_run_nothing(safety_page):
    p = safety_page
    review = next(e for e in p.entries() if e["label"] == "复核 review")["layers"][-1]
    text, n_img = p.hover_feature(review)
    assert XSS in text and n_img == 0
    popup = p.open_popup(review)
    assert XSS in popup["values"] and popup["imgs"] == 0
    notice = next(e for e in p.entries() if e["label"] == "告知 notice")["layers"][-1]
    assert BREAKOUT in p.open_popup(notice)["values"]
    p.page.wait_for_timeout(200)
    assert p.dialogs == [] and p.errors == [] and p.requests == []
    assert p.js("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert p.js("document.title") == "<b>title</b>"


def test_scheme_tooltip_shows_chinese_and_english_names(safety_page):
    p = safety_page
    scheme = next(e for e in p.entries() if e["label"] == "两心两轴、多廊多点")
    assert scheme["checked"]  # a scheme drawn alone is on (several at once start off)
    text, _ = p.hover_feature(scheme["layers"][0], 3)
    assert "太湖生态核" in text and "Taihu core" in text and "核 core" in text


# --------------------------------------------------------------------------- any number of parcels


def test_report_of_100000_parcels_is_small_and_opens(browser, tmp_path):
    report = synthetic_report(100_000)
    path = sg.save_map(sg.report_map(report, offline=True), tmp_path / "map.html")
    size = path.stat().st_size
    _record("map_100k_bytes", size)
    assert size <= 15_000_000, size
    p = Page(browser, path)
    try:
        assert p.errors == [] and p.requests == []
        drawn = p.js("""() => { let n = 0;
            for (const e of document.querySelectorAll('.sg-layers .sg-entry')) {
                if (!/conflict|review|notice|pass|invalid/.test(e.textContent)) continue;
                for (const v of e.querySelector('input').dataset.layers.split(' ').filter(Boolean))
                    if (!window[v].getLayers()[0].getRadius) n += window[v].getLayers().length;  // not a grid count
            }
            return n; }""")
        expect = report[report.geometry.notna() & report.verdict.isin(["conflict", "review", "invalid"])]
        assert drawn == len(expect)
        legend = p.js("document.querySelector('.sg-legend-body').textContent")
        assert "parcels as counts per" in legend
        p.screenshot("report_100k_offline_1280x720.png")
    finally:
        p.close()


# --------------------------------------------------------------------------- Jupyter


def _check_notebook_output(browser, html: str, name: str) -> None:
    p = Page(browser, html=html)
    try:
        assert p.errors == []
        assets = [u for u in p.requests if not any(t in u for t in ("openstreetmap", "cartocdn", "autonavi"))]
        assert assets == []  # only tiles were asked of the (absent) network: no script, no style sheet
        assert p.js("document.querySelectorAll('.leaflet-overlay-pane path').length") > 10
        p.screenshot(name)
    finally:
        p.close()


def test_jupyter_output_renders_without_network(browser):
    m = sg.plan_map(sg.boundary("昆山市"), sg.joint_control_zone())
    _check_notebook_output(browser, m._repr_html_(), "jupyter_repr_1280x720.png")


def test_maps_notebook_renders_without_network(browser, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(EXAMPLES / "04_maps_chinese_basemaps.ipynb", as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if o.get("output_type") in ("display_data", "execute_result")
               and "<iframe" in o.get("data", {}).get("text/html", "")]
    assert len(outputs) >= 3
    for i, html in enumerate(outputs):
        assert "cdn.jsdelivr.net" not in htmllib.unescape(html)
        _check_notebook_output(browser, html, f"notebook_map_{i}.png")
