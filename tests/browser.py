"""Opening HTML reports in a real headless Chromium and checking what a person would see.

A report is a self-contained HTML file: opened from disk (``file://``) it must render, run its scripts
without errors and load nothing, neither from the network nor other files (it may *link* to deck files;
a link is not a load). Only a real browser shows that, so browser tests open reports here, through
Python playwright driving the machine's Chromium (found by ``tools/chromium.py``; playwright's own
browser downloads are never used).

Use the ``browser_page`` fixture of ``tests/conftest.py``::

    def test_report_renders(browser_page: PageOpener, tmp_path: Path) -> None:
        view = browser_page(write_report(tmp_path))  # a Path, or a URL
        view.assert_clean()
        view.assert_not_blank()
        assert view.page.locator("h1").inner_text() == "Summary"

Each call opens the target in a fresh browser context (no shared storage), waits for ``load`` (and
for ``wait_for``, a CSS selector, when given), lets two animation frames pass, and takes a full-page
screenshot. Every request other than the page's own URL and ``data:``/``blob:``/``about:`` URLs is
aborted and recorded. Chromium is started once per session and always closed at its end.

Without playwright or without a Chromium, tests are skipped saying what is missing; under
``FLYWEIGHT_REQUIRE_ORACLE=1`` (``make test``) they fail instead (``tests/oracle.py``'s rule). Every
wait is bounded: playwright calls by ``timeout_s``, launching by ``LAUNCH_SECONDS``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.oracle import missing, require
from tools.chromium import LAUNCH_ARGS, find_chromium, not_found_reason, version

LAUNCH_SECONDS = 60
OPEN_SECONDS = 30.0
# URL schemes that never leave the page: inline data, object URLs the page made, empty frames.
_LOCAL_SCHEMES = ("data:", "blob:", "about:")
# The console error Chromium logs for each request this module aborts: the request itself is already
# listed in ``PageView.requests`` or ``file_requests``, so the console line would only repeat it.
_BLOCKED_CONSOLE = "Failed to load resource: net::ERR_BLOCKED_BY_CLIENT"


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _url_of(target: str | os.PathLike[str]) -> str:
    """A URL for ``target``: URLs (anything with ``://``) as they are, paths as ``file://`` URLs."""
    if isinstance(target, str) and "://" in target:
        return target
    path = Path(target).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no HTML file to open at {path}")
    return path.as_uri()


@dataclass
class PageView:
    """One opened page and what happened while it opened.

    Attributes:
        page: the playwright ``Page``, still open until the test ends (``page.locator(...)``,
            ``page.evaluate(...)``).
        url: the URL that was opened.
        console_errors: console messages of type ``error``, each with where it came from (minus the
            "Failed to load resource" lines of requests this module aborted).
        page_errors: uncaught exceptions (``Name: message``) and renderer crashes.
        requests: aborted requests that were not ``file://`` (network, other schemes), as
            ``"<resource type> <url>"``.
        file_requests: aborted ``file://`` requests for other files than the page's own.
        screenshot: a full-page screenshot, PNG bytes.
    """

    page: Any
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    file_requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""

    def problems(self) -> list[str]:
        """Every console error, page error and aborted request, one line each (empty when clean)."""
        return [
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"network request (blocked): {r}" for r in self.requests),
            *(f"file request on open (blocked): {r}" for r in self.file_requests),
        ]

    def assert_clean(self) -> None:
        """The page opened without console errors, uncaught exceptions or loading anything else."""
        __tracebackhide__ = True
        problems = self.problems()
        assert not problems, (
            f"{self.url} should open with no console error, no page error and no request (it must be "
            f"self-contained), but:\n  " + "\n  ".join(problems)
        )

    def assert_not_blank(self, *, min_share: float = 0.005) -> None:
        """The screenshot shows something: more than one colour, and at least ``min_share`` of its
        pixels differ from the most common colour (taken as the background)."""
        __tracebackhide__ = True
        stats = pixel_stats(self.screenshot)
        assert stats.colours > 1 and stats.share_not_background >= min_share, (
            f"{self.url} looks blank: expected more than one colour and at least {min_share:.1%} of pixels "
            f"off the background, but the {stats.width}x{stats.height} screenshot has {stats.colours} "
            f"colour(s) and {stats.share_not_background:.3%} off the background {stats.background}"
        )


@dataclass(frozen=True)
class PixelStats:
    """What :func:`pixel_stats` measured in a screenshot."""

    width: int
    height: int
    colours: int
    background: tuple[int, ...]
    share_not_background: float


def pixel_stats(png: bytes) -> PixelStats:
    """Colour count, most common colour and the share of other pixels in a PNG (see :func:`decode_png`)."""
    width, height, channels, pixels = decode_png(png)
    counts = Counter(pixels[i : i + channels] for i in range(0, len(pixels), channels))
    total = width * height
    if not counts:
        return PixelStats(width, height, 0, (), 0.0)
    background, count = counts.most_common(1)[0]
    return PixelStats(width, height, len(counts), tuple(background), (total - count) / total)


def decode_png(png: bytes) -> tuple[int, int, int, bytes]:
    """``(width, height, channels, pixels)`` of a non-interlaced 8-bit RGB or RGBA PNG (what Chromium
    writes), with all five row filters undone; ``pixels`` holds ``channels`` bytes per pixel, row after
    row. Written here so the tests need no imaging library.

    Raises:
        ValueError: not a PNG, or a kind of PNG this decoder does not read (the message says which).
    """
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"not a PNG: it starts with {png[:8]!r}")
    pos, header, data = 8, b"", bytearray()
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        elif kind == b"IEND":
            break
    if len(header) != 13:
        raise ValueError("not a PNG: no IHDR chunk")
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    channels = {2: 3, 6: 4}.get(colour_type)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError(
            f"only non-interlaced 8-bit RGB/RGBA PNGs are read, this one has bit depth {depth}, "
            f"colour type {colour_type}, interlace {interlace}"
        )
    raw = zlib.decompress(bytes(data))
    stride = width * channels
    if len(raw) != height * (stride + 1):
        raise ValueError(f"PNG data holds {len(raw)} bytes, expected {height * (stride + 1)}")
    out = bytearray(height * stride)
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        row = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, row, previous, channels)
        out[y * stride : (y + 1) * stride] = row
        previous = row
    return width, height, channels, bytes(out)


def _unfilter(kind: int, row: bytearray, up: bytearray, bpp: int) -> None:
    """Undo PNG filter ``kind`` (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) on ``row`` in place."""
    n = len(row)
    if kind == 0:
        return
    if kind == 1:
        for i in range(bpp, n):
            row[i] = (row[i] + row[i - bpp]) & 0xFF
    elif kind == 2:
        for i in range(n):
            row[i] = (row[i] + up[i]) & 0xFF
    elif kind == 3:
        for i in range(n):
            left = row[i - bpp] if i >= bpp else 0
            row[i] = (row[i] + ((left + up[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(n):
            a = row[i - bpp] if i >= bpp else 0
            b = up[i]
            c = up[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            row[i] = (row[i] + predictor) & 0xFF
    else:
        raise ValueError(f"PNG row filter {kind} is not one of 0-4")


class Chromium:
    """A headless Chromium driven by playwright, started once per test session (:func:`launched`)."""

    def __init__(self, browser: Any, executable: str) -> None:
        self.browser = browser
        self.executable = executable

    def open(
        self, target: str | os.PathLike[str], *, wait_for: str | None = None, timeout_s: float = OPEN_SECONDS
    ) -> tuple[PageView, Any]:
        """Open ``target`` (a path or URL) in a fresh context; returns the view and the context, which
        the caller closes (:class:`PageOpener` does)."""
        url = _url_of(target)
        own = _without_fragment(url)
        timeout_ms = timeout_s * 1000
        context = self.browser.new_context(service_workers="block")
        try:
            context.set_default_timeout(timeout_ms)
            context.set_default_navigation_timeout(timeout_ms)
            page = context.new_page()
            view = PageView(page=page, url=url)
            blocked: set[str] = set()

            def route(route: Any) -> None:
                request = route.request
                seen = request.url
                if _without_fragment(seen) == own or seen.startswith(_LOCAL_SCHEMES):
                    route.continue_()
                    return
                blocked.add(seen)
                where = view.file_requests if seen.startswith("file:") else view.requests
                where.append(f"{request.resource_type} {seen}")
                route.abort("blockedbyclient")

            def console(message: Any) -> None:
                if message.type != "error":
                    return
                source = message.location.get("url", "")
                if message.text.startswith(_BLOCKED_CONSOLE) and source in blocked:
                    return
                line = message.location.get("lineNumber", 0)
                view.console_errors.append(f"{message.text} ({source}:{line + 1})")

            page.route("**/*", route)
            if hasattr(page, "route_web_socket"):  # playwright >= 1.48; the socket is never connected

                def socket(ws: Any) -> None:
                    view.requests.append(f"websocket {ws.url}")

                page.route_web_socket("**/*", socket)
            page.on("console", console)
            page.on("pageerror", lambda error: view.page_errors.append(f"{error.name}: {error.message}"))
            page.on("crash", lambda _page: view.page_errors.append("the renderer crashed"))
            page.goto(url, wait_until="load", timeout=timeout_ms)
            if wait_for is not None:
                page.wait_for_selector(wait_for, state="visible", timeout=timeout_ms)
            # Two animation frames: what scripts changed on load is painted before the screenshot.
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            view.screenshot = page.screenshot(
                full_page=True, type="png", animations="disabled", timeout=timeout_ms
            )
        except BaseException:
            with contextlib.suppress(Exception):  # keep the original error, not a failure to close
                context.close()
            raise
        return view, context


class PageOpener:
    """``opener(target, *, wait_for=None, timeout_s=30) -> PageView``; what the ``browser_page``
    fixture gives. Closes every page it opened when the test ends (:meth:`close`)."""

    def __init__(self, chromium: Chromium) -> None:
        self._chromium = chromium
        self._contexts: list[Any] = []

    def __call__(
        self, target: str | os.PathLike[str], *, wait_for: str | None = None, timeout_s: float = OPEN_SECONDS
    ) -> PageView:
        view, context = self._chromium.open(target, wait_for=wait_for, timeout_s=timeout_s)
        self._contexts.append(context)
        return view

    def close(self) -> None:
        while self._contexts:
            with contextlib.suppress(Exception):  # the browser may already be gone; nothing to close
                self._contexts.pop().close()


@contextlib.contextmanager
def launched() -> Iterator[Chromium]:
    """Start playwright and headless Chromium; stop both on exit (also on failure).

    Skips (or fails under ``FLYWEIGHT_REQUIRE_ORACLE=1``) when playwright or a Chromium is missing.
    Chromium gets a fresh profile (playwright's temporary ``--user-data-dir``, removed on close) and a
    temporary XDG config and cache home, so nothing is written to the user's home.
    """
    __tracebackhide__ = True
    sync_api = require(
        "playwright.sync_api", why="drives Chromium for the browser tests; pip install -e '.[test]'"
    )
    executable = find_chromium()
    if executable is None:
        missing(not_found_reason())
    home = Path(tempfile.mkdtemp(prefix="flyweight-chromium-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
    try:
        with sync_api.sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(
                    executable_path=executable,
                    headless=True,
                    args=[arg for arg in LAUNCH_ARGS if arg != "--headless"],  # playwright adds it
                    env=env,
                    timeout=LAUNCH_SECONDS * 1000,
                )
            except Exception as e:
                raise RuntimeError(
                    f"Chromium at {executable} ({version(executable)}) did not start under playwright: {e}"
                ) from e
            try:
                yield Chromium(browser, executable)
            finally:
                with contextlib.suppress(Exception):  # already gone: nothing left to close
                    browser.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
