"""Shared browser-test helpers: Debian chromium through playwright, every non-file request blocked."""

from __future__ import annotations

import json
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
    from playwright import sync_api
    # offline maps inline Leaflet from this PyPI package (a runtime dependency of suzhou_geo)
    import xstatic.pkg.leaflet  # noqa: F401  (a runtime dependency: missing means broken, not skipped)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield b
        finally:
            b.close()


class Page:
    """A page opened from a file with every non-file request aborted, recording what went wrong."""

    def __init__(self, browser, path: Path):
        self.errors: list[str] = []
        self.failed_assets: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1200, "height": 850})
        self.page.route(re.compile(r"^(?!file:).*"), self._block)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and not _is_tile_noise(msg.text) and self.errors.append(msg.text))
        self.page.on("requestfailed", self._failed)
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("typeof L !== 'undefined' && document.querySelector('.leaflet-control-layers')")
        self.page.wait_for_timeout(300)
        html = path.read_text(encoding="utf-8")
        self.map_var = re.search(r"var (map_\w+) = L\.map\(", html).group(1)
        # layer name -> JS variable, from the layer control's overlay table
        self.overlays = {json.loads(f'"{k}"'): v for k, v in re.findall(r'"((?:[^"\\]|\\.)*)" : (safe_geo_json_\w+),', html)}

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort()

    def _failed(self, req):
        if req.resource_type in ("script", "stylesheet", "font"):
            self.failed_assets.append(req.url)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def hover_feature(self, var: str, index: int = 0) -> None:
        """Move the mouse onto the centre of feature *index* of layer *var*."""
        x, y = self.js(
            """([m, v, i]) => {
                const map = window[m], lyr = window[v].getLayers()[i];
                const ll = lyr.getBounds ? lyr.getBounds().getCenter() : lyr.getLatLng();
                map.setView(ll, 13, {animate: false});
                const p = map.latLngToContainerPoint(ll), r = map.getContainer().getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }""",
            [self.map_var, var, index],
        )
        self.page.mouse.move(5, 5)
        self.page.wait_for_timeout(100)
        self.page.mouse.move(x, y)
        self.page.wait_for_function(
            "([v, i]) => window[v].getLayers()[i].isTooltipOpen()", arg=[var, index], timeout=3000
        )

    def tooltip(self, var: str, index: int = 0) -> tuple[str, int]:
        """(text, number of <img> elements) of the open tooltip of feature *index* of layer *var*."""
        return self.js(
            """([v, i]) => { const el = window[v].getLayers()[i].getTooltip().getElement();
                return [el.textContent, el.querySelectorAll('img').length]; }""",
            [var, index],
        )

    def close(self):
        self.page.close()


def _is_tile_noise(text: str) -> bool:
    # Blocked tile images log "Failed to load resource: net::ERR_FAILED"; assets are checked separately.
    return "Failed to load resource" in text


