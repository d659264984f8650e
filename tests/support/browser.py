"""A real headless browser for the report pages: Debian's chromium driven by playwright.

``open_pages`` loads each page in headless chromium and reports what a person would notice:
console errors and uncaught exceptions, requests that left the page (a self-contained page makes
none but its own data: URIs), and every image or SVG that did not render; it can also save a
full-page screenshot. Playwright downloads no browser here: it runs ``/usr/bin/chromium``
(``CHROMIUM`` overrides; a browser from ``playwright install`` is the fallback). Without one a
test skips on a developer machine and fails under CI=true, like the docker tests.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.containers import in_ci

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync"]

# Runs in the page once it has loaded: every <img> decoded with a size, every <svg> laid out.
_RENDERED = """() => ({
  images: [...document.images].map(img => ({
      alt: img.alt, ok: img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0})),
  svgs: [...document.querySelectorAll('svg')].map(svg => svg.getBoundingClientRect().width > 0),
  sections: [...document.querySelectorAll('section h2')].map(h => h.textContent),
})"""


def chromium_path(bundled: str | None = None) -> str:
    """Debian's chromium (``CHROMIUM`` overrides), else a browser ``playwright install`` put in
    place (``bundled``, e.g. on CodeBuild's Ubuntu, whose chromium is a snap stub); a skip, or a
    failure under CI=true, when there is neither."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if bundled and Path(bundled).is_file():
        return bundled
    message = "no chromium browser found (apt-get install -y chromium)"
    if in_ci():
        pytest.fail(f"{message}, and CI is set: the browser checks must run in CI", pytrace=False)
    pytest.skip(message)


@dataclass
class PageCheck:
    path: Path
    errors: list[str] = field(default_factory=list)  # console errors, page exceptions
    outside_requests: list[str] = field(default_factory=list)  # anything but data: and the file
    broken_images: list[str] = field(default_factory=list)  # alt texts of images that did not render
    images: int = 0
    svgs_rendered: list[bool] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)


def open_pages(paths: list[Path], screenshots: Path | None = None, width: int = 1100) -> list[PageCheck]:
    """Load each page in one headless chromium; with ``screenshots``, save ``<n>.png`` there."""
    from playwright.sync_api import sync_playwright

    checks = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        executable = chromium_path(playwright.chromium.executable_path)
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=executable, args=FLAGS, headless=True,
            viewport={"width": width, "height": 900})
        try:
            for number, path in enumerate(paths):
                checks.append(_check(browser, Path(path), screenshots, number))
        finally:
            browser.close()
    return checks


def _check(browser, path: Path, screenshots: Path | None, number: int) -> PageCheck:
    check = PageCheck(path)
    page = browser.new_page()
    page.on("console", lambda message: message.type == "error" and check.errors.append(message.text))
    page.on("pageerror", lambda error: check.errors.append(str(error)))
    own = path.resolve().as_uri()
    page.on("request", lambda request: None if request.url.startswith("data:") or request.url == own
            else check.outside_requests.append(request.url))
    page.goto(own, wait_until="load")
    rendered = page.evaluate(_RENDERED)
    check.images = len(rendered["images"])
    check.broken_images = [image["alt"] for image in rendered["images"] if not image["ok"]]
    check.svgs_rendered = rendered["svgs"]
    check.sections = rendered["sections"]
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / f"{number}.png"), full_page=True)
    page.close()
    return check
