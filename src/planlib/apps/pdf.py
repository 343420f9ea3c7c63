"""Briefings as PDF (``planlib briefings --pdf``): headless Chromium, driven by Playwright, prints
each briefing's HTML on A4 portrait with the region's name and the page number on every page and
no browser header, date or file path.

Which browser: ``$PLANLIB_CHROMIUM`` if set, else the system's Chromium or Chrome (Debian's
``chromium``), else the Chromium that ``python -m playwright install chromium`` downloads.
:func:`unavailable` says in one line what to install when there is none, or when it does not
start (a missing system library); ``planlib briefings --pdf`` checks it before any work.

Chinese prints with a real font on any machine: for the print run only (the HTML stays small
and keeps its own font stack), the page gets Noto Sans CJK SC from the ``mplfonts`` package
(:func:`planlib.report.fonts.cjk_font_file`) as a web font for Chinese characters, first in its
font list (Chromium does not fall back to a web font listed after a system font). The running
header (region name) and footer (page x of y) are CSS page-margin boxes, which use that font;
Chromium's own header and footer templates cannot (they showed Chinese as boxes), so they are
used only by a Chromium older than 131, which lacks margin boxes. The font given to the browser
is a copy without the CJK radicals in its character map (:func:`print_font`), so that the PDF's
text says 人 and 页, not ⼈ and ⻚, and can be searched.

Faults: Playwright runs in a thread of its own (its event loop never meets the kernel client's).
Every print has a time limit; past it, or when the browser fails, the driver and the browser are
killed by process id, the region fails with the reason, and the next print starts a fresh
browser. The page can fetch nothing: the page itself and the font are answered from this process,
every other request is aborted. The browser dies with its driver, and the driver with the process
that started it (its pipe closes), so no browser outlives a killed worker.
"""
from __future__ import annotations

import html
import os
import queue
import shutil
import signal
import tempfile
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

#: Seconds one briefing may take to print (page load and PDF), and the browser to start.
PRINT_TIMEOUT = 120
START_TIMEOUT = 60
#: Browsers looked for on the PATH, in order (after ``$PLANLIB_CHROMIUM``).
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: What to install, said when there is no browser or it does not start.
INSTALL = ("install Chromium: `sudo apt-get install chromium` (Debian, Ubuntu) or "
           "`python -m playwright install --with-deps chromium` (any Linux, macOS, Windows)")
ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND"]  # no name lookups: nothing leaves the machine
FONT_FAMILY = "planlib CJK"
#: Characters drawn with the CJK web font: CJK radicals, punctuation, kana, ideographs,
#: compatibility ideographs and forms, full-width forms. Latin text keeps the page's fonts.
CJK_RANGE = "U+2E80-2FFF, U+3000-303F, U+3040-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF"
#: Page margins (top right bottom left): room for the running header and footer.
MARGIN = ("18mm", "16mm", "16mm", "16mm")
#: First Chromium with CSS page-margin boxes (@top-left, @bottom-right).
MARGIN_BOXES_SINCE = 131


#: Code points of CJK radicals (Kangxi radicals, radicals supplement, strokes). Noto Sans CJK maps
#: them to the same glyphs as the ideographs (⼈ and 人), and Chromium's PDF writer names each glyph
#: by its lowest code point, so "人均预期寿命" came out of the PDF's text as "⼈均预期寿命" and a
#: search for 人 found nothing. The print copy of the font leaves them out.
RADICALS = ((0x2E80, 0x2FDF), (0x31C0, 0x31EF))


def print_font(font: Path | None = None, cache: Path | None = None) -> Path | None:
    """The CJK font for printing: a copy of ``font`` (default: :func:`planlib.report.fonts.cjk_font_file`)
    whose character map leaves out the CJK radicals (see ``RADICALS``), made once (a few seconds)
    and kept in ``cache`` (default: ``$XDG_CACHE_HOME/planlib`` or ``~/.cache/planlib``); the
    font itself if the copy cannot be made; None without a CJK font."""
    from planlib.report.fonts import cjk_font_file
    font = font or cjk_font_file()
    if font is None:
        return None
    base = cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planlib"
    stat = font.stat()
    target = base / f"{font.stem}-print-{stat.st_size}-{int(stat.st_mtime)}{font.suffix}"
    if target.is_file():
        return target
    try:
        from fontTools.ttLib import TTFont

        from planlib.files import atomic_open
        f = TTFont(str(font), lazy=True)
        # glyph names are not needed to edit the character map: numbering them avoids reading
        # the outlines' names (minutes for 65,000 glyphs)
        f.setGlyphOrder([f"g{i}" for i in range(f["maxp"].numGlyphs)])
        for table in f["cmap"].tables:
            for cp in [c for c in table.cmap if any(lo <= c <= hi for lo, hi in RADICALS)]:
                del table.cmap[cp]
        with atomic_open(target) as fh:
            f.save(fh, reorderTables=False)
        return target
    except Exception:  # noqa: BLE001 - the font as it is still prints Chinese correctly
        return font


class PrintError(RuntimeError):
    """A briefing could not be printed; the message is one line for the reader of the summary."""


def browser_executable() -> str | None:
    """The system browser planlib prints with (``$PLANLIB_CHROMIUM``, then the PATH), or None
    (Playwright's own Chromium is used if installed)."""
    env = os.environ.get("PLANLIB_CHROMIUM")
    if env:
        return env
    for name in SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable() -> str | None:
    """None when ``--pdf`` can work here; else one line saying what is missing and what to install.

    Starts the browser once and prints an empty page, so a browser that is present but cannot
    start (a missing system library) is caught before any briefing is built."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "--pdf needs the Python package playwright: `pip install playwright`, then " + INSTALL
    exe = browser_executable()
    if exe is not None and not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        return f"--pdf: the browser {exe} (PLANLIB_CHROMIUM) is not an executable file; " + INSTALL
    printer = Printer()
    try:
        printer.pdf("<!doctype html><title>planlib</title><p>planlib", "planlib", "en", timeout=START_TIMEOUT)
    except PrintError as exc:
        what = "no Chromium found" if exe is None and "Executable doesn't exist" in str(exc) else \
            f"the browser ({exe or 'Playwright Chromium'}) does not start: {exc}"
        return f"--pdf: {what}; {INSTALL}"
    finally:
        printer.close()
    return None


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the string, the rule or the style element."""
    out = []
    for ch in text:
        out.append(f"\\{ord(ch):x} " if ch in '"\\<>&\n\r\f' or ord(ch) < 32 else ch)
    return '"' + "".join(out) + '"'


def page_number_content(lang: str) -> str:
    """CSS ``content`` for "Page x of y" / "第x页，共y页" (the words of ``print.page``)."""
    from planlib.report.words import word
    text = word(lang, "page", "print.page", page="\0", pages="\1")
    parts = []
    for i, piece in enumerate(text.replace("\1", "\0\1").split("\0")):
        if piece.startswith("\1"):
            parts.append("counter(pages)")
            piece = piece[1:]
        elif i:
            parts.append("counter(page)")
        if piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def print_css(name: str, lang: str, font: Path | None, margin_boxes: bool = True) -> str:
    """The style added for the print run: A4 portrait, margins, the CJK web font first for Chinese
    characters, and (``margin_boxes``) the region's name at the top left and the page number at
    the bottom right of every page."""
    face = (f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font.as_uri()}") format("opentype"); '
            f"unicode-range: {CJK_RANGE}; }}\n") if font else ""
    from planlib.apps.pages import FONT_STACK
    stack = f'"{FONT_FAMILY}", {FONT_STACK}' if font else FONT_STACK
    box = f'font-family: {stack}; font-size: 8.5pt; color: #444;'
    boxes = (f"@top-left {{ content: {css_string(name)}; {box} }}\n"
             f"@bottom-right {{ content: {page_number_content(lang)}; {box} }}\n") if margin_boxes else ""
    return (f"<style>\n{face}"
            f"body, .jp-RenderedHTMLCommon, .jp-Notebook {{ font-family: {stack} !important; }}\n"
            f"@page {{ size: A4 portrait; margin: {' '.join(MARGIN)};\n{boxes}}}\n</style>")


def header_template(name: str, lang: str) -> str:
    """Chromium's running header (only for a Chromium without margin boxes): the region's name."""
    return (f'<div lang="{lang}" style="font-size:8pt;color:#444;width:100%;margin:0 16mm;'
            f'font-family:sans-serif">{html.escape(name)}</div>')


def footer_template(lang: str) -> str:
    """Chromium's running footer (only for a Chromium without margin boxes): page x of y."""
    from planlib.report.words import word
    page = word(lang, "page", "print.page", page='<span class="pageNumber"></span>',
                pages='<span class="totalPages"></span>')
    return (f'<div lang="{lang}" style="font-size:8pt;color:#444;width:100%;margin:0 16mm;text-align:right;'
            f'font-family:sans-serif">{page}</div>')


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    out = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for p in entries:
        if p.isdigit():
            try:
                fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                out.append(int(p))
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Printer:
    """One browser, started on first use and kept for the next briefings, in a thread of its own.

    :meth:`pdf` prints one page and returns the PDF's bytes, or raises :class:`PrintError`
    (time limit, browser fault) after killing the browser; :meth:`kill` is safe in a signal
    handler; :meth:`close` stops it all.
    """

    def __init__(self, executable: str | None = None, font: Path | None = None):
        self.executable = executable if executable is not None else browser_executable()
        self.font = font if font is not None else print_font()
        self._requests: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._driver_pids: list[int] = []
        self._pw = self._browser = self._page = None
        self._folder: str | None = None
        self._margin_boxes = True

    # --- called by the build ---------------------------------------------------------------
    def pdf(self, page_html: str, name: str, lang: str, timeout: float = PRINT_TIMEOUT) -> bytes:
        """``page_html`` printed to PDF (A4, header ``name``, footer page x of y in ``lang``)."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="planlib-pdf", daemon=True)
            self._thread.start()
        done: Future = Future()
        self._requests.put((page_html, name, lang, done))
        try:
            return done.result(timeout)
        except FutureTimeout:
            self.kill()
            try:
                done.result(10)
            except BaseException:
                pass
            raise PrintError(f"the browser took longer than {timeout:g} s to print this briefing") from None

    def warm(self) -> None:
        """Start the browser now, in its thread, while the caller does other work."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="planlib-pdf", daemon=True)
            self._thread.start()
        self._requests.put("start")

    def kill(self) -> None:
        """Kill the browser and its driver at once, by process id (no messages, no waiting)."""
        for pid in list(self._driver_pids):
            for child in _children(pid):  # the browser: its own process group, led by itself
                try:
                    if os.getpgid(child) == child:
                        os.killpg(child, signal.SIGKILL)
                    else:
                        os.kill(child, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def close(self) -> None:
        """Stop the browser and the thread (waits a few seconds, then kills)."""
        if self._thread is not None and self._thread.is_alive():
            self._requests.put(None)
            self._thread.join(10)
            if self._thread.is_alive():
                self.kill()
                self._thread.join(5)
        self._thread = None
        self.kill()  # anything left (normally nothing)
        self._driver_pids = []

    # --- the browser's thread ----------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            item = self._requests.get()
            if item is None:
                self._stop()
                return
            if item == "start":
                try:
                    self._start()
                except Exception:  # noqa: BLE001 - the first print tries again and reports it
                    self._stop(force=True)
                continue
            page_html, name, lang, done = item
            if not done.set_running_or_notify_cancel():
                continue
            try:
                self._start()
                done.set_result(self._print(page_html, name, lang))
            except BaseException as exc:  # noqa: BLE001 - reported to the caller
                self._stop(force=True)
                done.set_exception(PrintError(_reason(exc)))

    def _start(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            return
        self._stop(force=True)
        from playwright.sync_api import sync_playwright
        before = set(_children(os.getpid()))
        self._pw = sync_playwright().start()
        self._driver_pids = [p for p in _children(os.getpid()) if p not in before and "run-driver" in _cmdline(p)]
        kw = {"executable_path": self.executable} if self.executable else {}
        self._browser = self._pw.chromium.launch(headless=True, args=ARGS, timeout=START_TIMEOUT * 1000, **kw)
        try:
            self._margin_boxes = int(self._browser.version.split(".")[0]) >= MARGIN_BOXES_SINCE
        except ValueError:
            self._margin_boxes = True
        self._folder = tempfile.mkdtemp(prefix="planlib-print-")
        # One page for every print: the 16 MB font is read and checked once (≈1 s), not per briefing.
        # Offline: nothing leaves the machine (the page and the font are local files). No request
        # routing: it would turn off the cache that keeps the font between briefings.
        self._page = self._browser.new_context(offline=True).new_page()

    def _stop(self, force: bool = False) -> None:
        if force:
            self.kill()
        for close in (getattr(self._browser, "close", None), getattr(self._pw, "stop", None)):
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - already dead
                    pass
        self._pw = self._browser = self._page = None
        self._driver_pids = []
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _print(self, page_html: str, name: str, lang: str) -> bytes:
        css = print_css(name, lang, self.font, self._margin_boxes)
        path = Path(self._folder) / "briefing.html"
        path.write_text(page_html.replace("</head>", css + "</head>", 1), encoding="utf-8")
        page = self._page
        page.goto(path.as_uri(), wait_until="load", timeout=PRINT_TIMEOUT * 1000)
        page.evaluate("document.fonts.ready.then(() => true)")
        if self._margin_boxes:
            return page.pdf(prefer_css_page_size=True, print_background=True, display_header_footer=False)
        return page.pdf(format="A4", print_background=True, display_header_footer=True,
                        header_template=header_template(name, lang), footer_template=footer_template(lang),
                        margin=dict(zip(("top", "right", "bottom", "left"), MARGIN)))


def _reason(exc: BaseException) -> str:
    """A browser error in one line, without Playwright's call log."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first.removeprefix("Error: ").removeprefix("BrowserType.launch: ").removeprefix("Page.pdf: ")
