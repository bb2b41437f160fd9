"""``tools/chromium.py`` (finding and installing Chromium) and ``tests/browser.py`` (opening HTML in it).

The negative tests open pages that break one rule each, proving every check of ``PageView`` can fail.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from tests.browser import PageOpener, decode_png, pixel_stats
from tools import chromium


def _fake_executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\necho 'Chromium 1.2.3 fake'\n")
    path.chmod(0o755)
    return path


def _html(tmp_path: Path, body: str, name: str = "page.html") -> Path:
    page = tmp_path / name
    page.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>{body}</body></html>"
    )
    return page


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No Chromium anywhere: no candidates, an empty PATH, ``FLYWEIGHT_CHROMIUM`` unset."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setattr(chromium, "CANDIDATES", (str(tmp_path / "no-such-chromium"),))
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(chromium.ENV, raising=False)
    return empty


def test_find_chromium_honours_the_environment_variable(
    nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_executable(tmp_path / "my-chromium")
    monkeypatch.setenv(chromium.ENV, str(fake))
    assert chromium.find_chromium() == str(fake)


def test_find_chromium_reports_a_wrong_environment_variable(
    nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_executable = tmp_path / "chromium.txt"
    not_executable.write_text("")
    monkeypatch.setenv(chromium.ENV, str(not_executable))
    assert chromium.find_chromium() is None
    assert "not an executable file" in chromium.not_found_reason()


def test_find_chromium_looks_on_path(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake_executable(nowhere / "chromium-browser")
    assert chromium.find_chromium() == str(fake)


def test_find_chromium_returns_none_when_nothing_exists(
    nowhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chromium.find_chromium() is None
    assert chromium.main(["path"]) == 1
    assert "python tools/chromium.py ensure" in capsys.readouterr().err


def test_path_prints_the_browser(
    nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = _fake_executable(tmp_path / "my-chromium")
    monkeypatch.setenv(chromium.ENV, str(fake))
    assert chromium.main(["path"]) == 0
    assert capsys.readouterr().out.strip() == str(fake)


def test_ensure_with_a_browser_installs_nothing(
    nowhere: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = _fake_executable(tmp_path / "my-chromium")
    monkeypatch.setenv(chromium.ENV, str(fake))
    ran: list[list[str]] = []
    monkeypatch.setattr(chromium, "_apt", ran.append)  # records any apt-get run (there must be none)
    assert chromium.main(["ensure"]) == 0
    assert ran == []
    assert f"Chromium: {fake} (Chromium 1.2.3 fake)" in capsys.readouterr().out


def test_ensure_that_cannot_install_says_why_and_succeeds(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # An empty PATH: no apt-get either, so nothing can be installed here.
    assert chromium.main(["ensure"]) == 0
    err = capsys.readouterr().err
    assert "cannot be installed here: apt-get is missing" in err
    assert "FLYWEIGHT_REQUIRE_ORACLE=1" in err


def test_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        chromium.main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "usage" in capsys.readouterr().err


def _png(rows: list[tuple[int, bytes]], width: int, channels: int) -> bytes:
    """A PNG with the given ``(filter, filtered row bytes)`` rows."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    colour_type = {3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", width, len(rows), 8, colour_type, 0, 0, 0)
    data = b"".join(bytes([kind]) + row for kind, row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(data))
        + chunk(b"IEND", b"")
    )


def test_decode_png_undoes_every_filter() -> None:
    # Two RGB pixels per row: (filter, filtered bytes) -> the bytes the row decodes to.
    rows = [
        ((0, [10, 20, 30, 40, 50, 60]), [10, 20, 30, 40, 50, 60]),  # None
        ((1, [1, 2, 3, 1, 1, 1]), [1, 2, 3, 2, 3, 4]),  # Sub: plus the pixel to the left
        ((2, [1, 1, 1, 1, 1, 1]), [2, 3, 4, 3, 4, 5]),  # Up: plus the pixel above
        # Average: plus (left + above) >> 1; first pixel (0 + 2 3 4) >> 1 = 1 1 2, second (3 3 4 + 3 4 5) >> 1
        ((3, [2, 2, 2, 0, 0, 0]), [3, 3, 4, 3, 3, 4]),
        ((0, [10, 15, 12, 40, 20, 10]), [10, 15, 12, 40, 20, 10]),
        # Paeth: first pixel predicts above (10 15 12); in the second, channel 0 predicts above (40),
        # channel 1 above-left (15), channel 2 left (20); 251 wraps around (10 - 15 mod 256).
        ((4, [5, 251, 8, 1, 1, 1]), [15, 10, 20, 41, 16, 21]),
    ]
    png = _png([(kind, bytes(row)) for (kind, row), _ in rows], width=2, channels=3)
    width, height, channels, pixels = decode_png(png)
    assert (width, height, channels) == (2, len(rows), 3)
    assert [list(pixels[i * 6 : (i + 1) * 6]) for i in range(len(rows))] == [want for _, want in rows]


def test_decode_png_refuses_what_it_does_not_read() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        decode_png(b"GIF89a")
    grey = _png([(0, b"\x00\x00")], width=2, channels=3).replace(b"\x08\x02", b"\x08\x00", 1)
    with pytest.raises(ValueError, match="colour type 0"):
        decode_png(grey)


def test_pixel_stats_of_rgba() -> None:
    stats = pixel_stats(_png([(0, bytes([255, 255, 255, 255, 0, 0, 0, 255]))] * 3, width=2, channels=4))
    assert (stats.width, stats.height, stats.colours) == (2, 3, 2)
    assert stats.share_not_background == 0.5


# --- In a real browser -----------------------------------------------------------------------------


def test_a_report_opens_clean_and_visible(browser_page: PageOpener, tmp_path: Path) -> None:
    page = _html(
        tmp_path,
        "<h1 id='title'>Music report</h1>"
        "<div style='width:300px;height:200px;background:#2a6fdb'></div>"
        "<a href='deck/slide-1.html'>slides</a>"  # a link to another file is fine: it is not loaded
        "<script>document.getElementById('title').dataset.ready = 'yes'</script>",
    )
    view = browser_page(page, wait_for="h1[data-ready=yes]")
    view.assert_clean()
    view.assert_not_blank()
    assert view.url == page.resolve().as_uri()
    assert view.page.locator("h1").inner_text() == "Music report"
    assert view.page.evaluate("() => getComputedStyle(document.querySelector('div')).backgroundColor") == (
        "rgb(42, 111, 219)"
    )
    assert pixel_stats(view.screenshot).colours > 2


def test_a_console_error_is_caught(browser_page: PageOpener, tmp_path: Path) -> None:
    view = browser_page(_html(tmp_path, "<h1>x</h1><script>console.error('x')</script>"))
    assert len(view.console_errors) == 1
    assert view.console_errors[0].startswith("x (file://")
    with pytest.raises(AssertionError, match="console error: x"):
        view.assert_clean()


def test_a_network_request_is_blocked_and_recorded(browser_page: PageOpener, tmp_path: Path) -> None:
    view = browser_page(_html(tmp_path, "<h1>x</h1><img src='http://example.invalid/x.png'>"))
    assert view.requests == ["image http://example.invalid/x.png"]
    assert view.console_errors == []  # the blocked load's own console line is not repeated
    with pytest.raises(AssertionError, match=r"network request \(blocked\): image http://example.invalid"):
        view.assert_clean()


def test_loading_another_file_is_blocked_and_recorded(browser_page: PageOpener, tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("h1 { color: red }")
    view = browser_page(_html(tmp_path, "<link rel='stylesheet' href='style.css'><h1>x</h1>"))
    assert view.requests == []
    assert view.file_requests == [f"stylesheet {(tmp_path / 'style.css').resolve().as_uri()}"]
    assert view.page.evaluate("() => getComputedStyle(document.querySelector('h1')).color") == "rgb(0, 0, 0)"
    with pytest.raises(AssertionError, match=r"file request on open \(blocked\)"):
        view.assert_clean()


def test_an_uncaught_exception_is_a_page_error(browser_page: PageOpener, tmp_path: Path) -> None:
    view = browser_page(_html(tmp_path, "<h1>x</h1><script>throw new TypeError('boom')</script>"))
    assert view.page_errors == ["TypeError: boom"]
    with pytest.raises(AssertionError, match="page error: TypeError: boom"):
        view.assert_clean()


def test_an_all_white_page_is_blank(browser_page: PageOpener, tmp_path: Path) -> None:
    view = browser_page(_html(tmp_path, ""))
    view.assert_clean()
    with pytest.raises(AssertionError, match=r"looks blank: .* has 1 colour\(s\)"):
        view.assert_not_blank()


def test_a_missing_file_says_so(browser_page: PageOpener, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no HTML file to open"):
        browser_page(tmp_path / "absent.html")
