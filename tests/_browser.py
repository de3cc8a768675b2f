"""Shared browser-test helpers: Debian chromium through playwright, every http(s) request blocked and counted."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "maps"

BROWSER_MARKS = [
    pytest.mark.browser,
    # skipped on a developer machine without chromium; never in CI, where scripts/test.sh installs it
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("CI") != "true",
        reason="Debian chromium (/usr/bin/chromium) is not installed",
    ),
]


def browser_test(func):
    """Mark a test as a browser test (skipped without chromium outside CI)."""
    for mark in reversed(BROWSER_MARKS):
        func = mark(func)
    return func


def launch_browser():
    """Yield a headless Debian chromium (never ``playwright install``); closed afterwards."""
    # offline maps inline Leaflet from this PyPI package (a runtime dependency of suzhou_geo)
    import xstatic.pkg.leaflet  # noqa: F401  (a runtime dependency: missing means broken, not skipped)
    from playwright import sync_api
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield b
        finally:
            b.close()


def overlap(a: dict | None, b: dict | None) -> bool:
    """Whether two DOMRects (as dicts) intersect."""
    if not a or not b:
        return False
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def inside(a: dict, width: int, height: int) -> bool:
    """Whether a DOMRect lies wholly inside a viewport of *width* × *height*."""
    return a["left"] >= 0 and a["top"] >= 0 and a["right"] <= width and a["bottom"] <= height


_RECT = ("el => { const r = el.getBoundingClientRect(); "
         "return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; }")


class Page:
    """A map page with every http(s) request aborted and counted, and what went wrong recorded.

    Parameters
    ----------
    browser
        From :func:`launch_browser`.
    path : Path, optional
        A saved map; or *html*, a page given as text (e.g. a notebook's output).
    viewport : (int, int)
        Width and height in CSS pixels.
    """

    def __init__(self, browser, path: Path | None = None, *, html: str | None = None,
                 viewport: tuple[int, int] = (1280, 720)):
        self.errors: list[str] = []
        self.requests: list[str] = []
        #: scripts, style sheets and fonts asked of the network (all blocked): none is expected
        self.failed_assets: list[str] = []
        self.dialogs: list[str] = []
        self.width, self.height = viewport
        self.page = browser.new_page(viewport={"width": self.width, "height": self.height})
        self.page.route(re.compile(r"^https?:"), self._block)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # a blocked request logs "Failed to load resource": those are counted in self.requests instead
        self.page.on("console", lambda msg: msg.type == "error" and "Failed to load resource" not in msg.text
                     and self.errors.append(msg.text))
        self.page.on("dialog", self._dialog)
        if html is not None:
            self.page.set_content(html)
            self.frame = next(f for f in self.page.frames if f != self.page.main_frame)
        else:
            self.page.goto(path.resolve().as_uri())
            self.frame = self.page.main_frame
        self.frame.wait_for_function("typeof L !== 'undefined' && document.querySelector('.sg-layers')")
        self.page.wait_for_timeout(300)
        self.map_var = self.js("Object.keys(window).find(k => /^map_\\w+$/.test(k))")

    def _block(self, route):
        self.requests.append(route.request.url)
        if route.request.resource_type in ("script", "stylesheet", "font"):
            self.failed_assets.append(route.request.url)
        route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expr: str, arg=None):
        return self.frame.evaluate(expr, arg)

    def rect(self, selector: str) -> dict | None:
        """Return the DOMRect of the first element matching *selector* (None if there is none)."""
        el = self.frame.query_selector(selector)
        return el.evaluate(_RECT) if el else None

    def entries(self) -> list[dict]:
        """Return the layer control's entries: label, JS layer names, checked, disabled."""
        return self.js(
            """() => Array.from(document.querySelectorAll('.sg-layers .sg-entry')).map(l => {
                const i = l.querySelector('input');
                return {label: l.querySelector('span').textContent, layers: i.dataset.layers.split(' ').filter(Boolean),
                        checked: i.checked, disabled: i.disabled, type: i.type};
            })"""
        )

    def expand_control(self) -> None:
        self.frame.hover(".sg-layers")
        self.frame.wait_for_selector(".sg-layers.leaflet-control-layers-expanded")
        self.page.wait_for_timeout(100)

    def collapse_control(self) -> None:
        self.page.mouse.move(27, 42)  # onto the zoom buttons: no feature under the mouse
        self.page.wait_for_timeout(100)

    def place_names(self) -> list[dict]:
        """Every place-name label: text, CSS classes, whether shown, and its rect."""
        return self.js(
            """() => Array.from(document.querySelectorAll('.sg-place')).map(s => {
                const r = s.getBoundingClientRect();
                return {text: s.textContent, cls: s.className, shown: getComputedStyle(s).visibility !== 'hidden',
                        rect: {left: r.left, top: r.top, right: r.right, bottom: r.bottom}};
            })"""
        )

    def open_popup(self, var: str, index: int = 0) -> dict:
        """Centre feature *index* of layer *var*, open its popup; return its content's geometry and rows."""
        self.js(
            """([m, v, i]) => {
                const map = window[m], lyr = window[v].getLayers()[i];
                const ll = lyr.getBounds ? lyr.getBounds().getCenter() : lyr.getLatLng();
                map.setView(ll, 14, {animate: false});
                lyr.fire('click', {latlng: ll}, true);  // as a click would: the group's popup, for this feature
            }""",
            [self.map_var, var, index],
        )
        self.page.wait_for_timeout(400)  # the popup fades in and the map pans to show it
        return self.js(
            """([m, v, i]) => {
                const el = window[v].getPopup().getElement(), c = el.querySelector('.leaflet-popup-content');
                const r = el.getBoundingClientRect(), t = c.querySelector('table').getBoundingClientRect();
                return {scrollWidth: c.scrollWidth, clientWidth: c.clientWidth,
                        popup: {left: r.left, top: r.top, right: r.right, bottom: r.bottom},
                        content: c.getBoundingClientRect().toJSON(), table: t.toJSON(),
                        labels: Array.from(c.querySelectorAll('th')).map(th => th.textContent),
                        values: Array.from(c.querySelectorAll('td')).map(td => td.textContent),
                        imgs: el.querySelectorAll('img').length};
            }""",
            [self.map_var, var, index],
        )

    def hover_feature(self, var: str, index: int = 0) -> tuple[str, int]:
        """Move the mouse onto feature *index* of layer *var*; return (tooltip text, number of <img>)."""
        x, y = self.js(
            """([m, v, i]) => {
                const map = window[m], lyr = window[v].getLayers()[i];
                const ll = lyr.getBounds ? lyr.getBounds().getCenter() : lyr.getLatLng();
                map.setView(ll, 14, {animate: false});
                const p = map.latLngToContainerPoint(ll), r = map.getContainer().getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }""",
            [self.map_var, var, index],
        )
        self.page.mouse.move(5, 5)
        self.page.wait_for_timeout(100)
        self.page.mouse.move(x, y)
        self.frame.wait_for_function("([v]) => window[v].isTooltipOpen()", arg=[var], timeout=3000)
        return self.js(
            """([v]) => { const el = window[v].getTooltip().getElement();
                return [el.textContent, el.querySelectorAll('img').length]; }""",
            [var],
        )

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path

    def close(self):
        self.page.close()
