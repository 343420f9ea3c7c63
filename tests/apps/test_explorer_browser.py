"""The explorer in a real browser: Voilà serves notebooks/explore.ipynb, headless Chromium
drives it through Playwright, and the table and the chart must change when the region and the
indicator are changed through the page.

Skipped when /usr/bin/chromium is missing (no browser download is attempted). Voilà listens on
127.0.0.1 only, on a free port, and is always stopped. The browser may only reach 127.0.0.1:
every other request is aborted before it leaves (Voilà's page asks a CDN for an icon font).
Screenshots go to tmp_path and are copied to /tmp/explorer_shots/ (before.png, after.png: the
whole page; before_chart.png, after_chart.png: the chart; normal_<lang>_1280x720.png: five
regions in normal mode; presentation_<lang>_<size>.png: presentation mode at 1024×768 and
1280×720, in English and Chinese) for people to look at.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import planlib
import planlib.apps.explorer
from planlib.apps.explorer import indicator_options
from planlib.report.narrative import fmt_num

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/explorer_shots")
STARTUP_TIMEOUT_S = 120
WAIT_MS = 90_000  # upper bound for one page update (kernel start, first render, one change)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
    # belt and braces with the request filter: no name lookups except for the local server
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(path: Path, n: int = 3000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else ""


def _wait_until_answering(proc: subprocess.Popen, url: str, log: Path) -> None:
    """Poll a static file of Voilà (starts no kernel) until the server answers."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Voilà exited with code {proc.returncode} before answering:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(url + "voila/static/voila.js", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # an HTTP answer of any kind: the server is up
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.5)
    pytest.fail(f"Voilà did not answer within {STARTUP_TIMEOUT_S} s:\n{_log_tail(log)}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop Voilà and its kernels (its own process group, started by this test)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:  # kernels left behind in the group
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture
def sync_api():
    """Playwright's sync API, or a skip when there is no browser to drive."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: apt-get install chromium chromium-driver")
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")


def _start_voila(tmp_path, extra=()) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log = tmp_path / "voila.log"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), PYTHONUNBUFFERED="1")
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(NOTEBOOK), f"--port={port}", "--no-browser",
             "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", *extra],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_answering(proc, url, log)
    except BaseException:
        _stop(proc)
        raise
    return proc, url


@pytest.fixture
def voila(sync_api, tmp_path):
    """Voilà serving the explorer notebook on a free 127.0.0.1 port; yields the base URL."""
    proc, url = _start_voila(tmp_path)
    try:
        yield url
    finally:
        _stop(proc)


@contextmanager
def _explorer_page(p, voila: str, tmp_path: Path, viewport: tuple[int, int],
                   shots: tuple[str, ...]) -> Iterator[tuple[object, list[str]]]:
    """The explorer open in Chromium (a fresh profile, so downloads work; internet refused) with
    its first table drawn: yields the page and the list its script errors collect in. Afterwards
    the screenshots in ``tmp_path`` matching ``shots`` are kept in SHOTS for people to look at."""
    ctx = p.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": viewport[0], "height": viewport[1]})
    try:
        ctx.route("**/*", _only_local)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(voila, timeout=WAIT_MS)
        page.wait_for_selector(".planlib-table table", timeout=WAIT_MS)
        yield page, errors
    finally:
        ctx.close()
        SHOTS.mkdir(parents=True, exist_ok=True)
        for pattern in shots:
            for f in tmp_path.glob(pattern):
                shutil.copy2(f, SHOTS / f.name)


def _makefile_cull_flags() -> dict[str, str]:
    """The kernel-culling settings ``make explore`` passes to Voilà (name → value)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    defaults = dict(re.findall(r"^(CULL_\w+)\s*\?=\s*(\S+)", text, re.M))
    flags = dict(re.findall(r"--(MappingKernelManager\.cull_\w+)=(\S+)", text))
    return {k: defaults.get(v[2:-1], v) if v.startswith("$(") else v for k, v in flags.items()}


def _kernels_of(proc: subprocess.Popen) -> list[int]:
    """Kernel processes started by Voilà (its children running ipykernel; jupyter_client
    starts them in their own session, so they are found by parent, not process group)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == proc.pid:
            continue
        try:
            stat = (d / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != proc.pid:
                continue
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ProcessLookupError):
            continue
        if b"ipykernel" in cmd:
            found.append(int(d.name))
    return found


def _only_local(route) -> None:
    if route.request.url.startswith(LOCAL):
        route.continue_()
    else:
        route.abort()


def _wait_for_change(page, selector: str, what: str, old: str) -> None:
    """Wait until ``element[what]`` of the first match of ``selector`` differs from ``old``."""
    page.wait_for_function(
        "([sel, what, old]) => { const e = document.querySelector(sel); return e && e[what] !== old; }",
        arg=[selector, what, old], timeout=WAIT_MS)


def _set_regions(page, labels: list[str]) -> None:
    """Tick exactly the regions named ``labels`` by clicking their checkboxes (ticks first, so
    that the selection is never empty), waiting for the chart after each click."""
    boxes = page.locator(".planlib-regions .planlib-region")
    names = [boxes.nth(i).inner_text().strip() for i in range(boxes.count())]
    assert set(labels) <= set(names), (labels, names)
    for want in (True, False):
        for i, name in enumerate(names):
            box = boxes.nth(i).locator("input")
            if (name in labels) == want and box.is_checked() != want:
                src = page.get_attribute(".planlib-chart img", "src")
                box.click()
                _wait_for_change(page, ".planlib-chart img", "src", src)


def test_explorer_in_voila_reacts_to_the_ui(sync_api, voila, tmp_path):
    obs = planlib.load_observations()
    actual = obs[(obs["kind"] == "actual") & obs["value"].notna()]

    def values(region: str, indicator: str) -> list[str]:
        s = actual[(actual["region_id"] == region) & (actual["indicator_id"] == indicator)]
        return [fmt_num(float(v)) for v in s["value"]]

    nurses_label = dict((v, k) for k, v in indicator_options())["nurses_per_1000"]
    table, img, chart = ".planlib-table", ".planlib-chart img", ".planlib-chart"

    with (sync_api.sync_playwright() as p,
          _explorer_page(p, voila, tmp_path, (1400, 950), ("before*.png", "after*.png")) as (page, errors)):
        page.wait_for_selector(img, timeout=WAIT_MS)

        # default state: Yangchun, life expectancy
        table0 = page.inner_text(table)
        src0 = page.get_attribute(img, "src")
        assert src0.startswith("data:image/png;base64,")
        for v in values("yangchun", "life_expectancy"):  # 77.8 among them
            assert v in table0
        assert "Weihai" not in table0
        chart0 = page.locator(chart).screenshot(path=str(tmp_path / "before_chart.png"))
        page.screenshot(path=str(tmp_path / "before.png"), full_page=True)

        # the region, through its checkbox (one click each: Weihai on, Yangchun off)
        _set_regions(page, ["Weihai"])
        table1, src1 = page.inner_text(table), page.get_attribute(img, "src")
        assert table1 != table0 and src1 != src0
        for v in values("weihai", "life_expectancy"):  # 81.58
            assert v in table1
        assert "Yangchun" not in table1

        # the indicator, through the dropdown's <select>
        page.locator(".planlib-indicator select").select_option(label=nurses_label)
        _wait_for_change(page, table, "innerText", table1)
        _wait_for_change(page, img, "src", src1)
        table2, src2 = page.inner_text(table), page.get_attribute(img, "src")
        for v in values("weihai", "nurses_per_1000"):
            assert v in table2
        for v in values("weihai", "life_expectancy"):
            assert v not in table2

        # the benchmark, through a toggle button
        page.locator(".planlib-benchmark button", has_text="National").click()
        _wait_for_change(page, table, "innerText", table2)
        _wait_for_change(page, img, "src", src2)
        table3, src3 = page.inner_text(table), page.get_attribute(img, "src")
        assert "China" in table3
        chart3 = page.locator(chart).screenshot(path=str(tmp_path / "after_chart.png"))
        page.screenshot(path=str(tmp_path / "after.png"), full_page=True)

        assert table3 != table0
        assert len({src0, src1, src2, src3}) == 4
        assert chart3 != chart0

        # the CSV downloads in the browser (nothing written on the server) and a spreadsheet
        # reads it: UTF-8 with BOM, the table's rows, numbers as reported
        before = set(NOTEBOOK.parent.iterdir())
        with page.expect_download(timeout=WAIT_MS) as dl:
            page.locator(".planlib-download a").click()
        download = dl.value
        assert download.suggested_filename == "planlib_nurses_per_1000_weihai_values_national.csv"
        target = tmp_path / download.suggested_filename
        download.save_as(str(target))
        raw = target.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        import pandas as pd
        got = pd.read_csv(target, encoding="utf-8-sig")
        assert "weihai" in set(got["plan_region"]) and "China" in set(got["region"])
        for v in values("weihai", "nurses_per_1000"):
            assert float(v) in set(got["value"].round(6))
        assert "99999" not in raw.decode("utf-8-sig")
        assert set(NOTEBOOK.parent.iterdir()) == before, "nothing written on the server"
        assert page.inner_text(".planlib-message").strip() == ""
        assert errors == []


def test_kernel_is_culled_after_its_tab_closes(sync_api, tmp_path):
    """``make explore``'s culling settings, with short times: the kernel of a closed tab is
    stopped within the idle timeout plus one culling interval (plus start-up slack)."""
    flags = _makefile_cull_flags()
    assert float(flags["MappingKernelManager.cull_idle_timeout"]) > 0, "make explore culls idle kernels"
    assert flags["MappingKernelManager.cull_connected"] == "False"
    idle, interval = 8, 2
    short = {**flags, "MappingKernelManager.cull_idle_timeout": str(idle),
             "MappingKernelManager.cull_interval": str(interval)}
    proc, url = _start_voila(tmp_path, [f"--{k}={v}" for k, v in short.items()])
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.route("**/*", _only_local)
                page.goto(url, timeout=WAIT_MS)
                page.wait_for_selector(".planlib-table table", timeout=WAIT_MS)
                assert len(_kernels_of(proc)) == 1
                page.close()
            finally:
                browser.close()
        closed = time.monotonic()
        while _kernels_of(proc) and time.monotonic() - closed < idle + 2 * interval + 20:
            time.sleep(0.5)
        assert _kernels_of(proc) == [], f"kernel still running {time.monotonic() - closed:.0f} s after the tab closed"
    finally:
        _stop(proc)


#: The controls and panes of the explorer whose boxes must not overlap on the page.
WIDGETS = [".planlib-intro", ".planlib-indicator", ".planlib-all-indicators", ".planlib-indicator-count",
           ".planlib-regions", ".planlib-benchmark", ".planlib-view",
           ".planlib-presentation", ".planlib-language", ".planlib-chart img", ".planlib-table table",
           ".planlib-download", ".planlib-filename"]
#: Latin words the Chinese page shows on purpose: the language switch's "English", the file type
#: and the spreadsheet program.
LATIN_OK = {"English", "CSV", "Excel", "csv"}


def _overlapping_widgets(page) -> list[tuple[str, str]]:
    """Pairs of WIDGETS whose boxes on the page intersect by more than a pixel, and pairs of
    labels (checkbox, button, select label) inside the controls that do."""
    boxes = {}
    for sel in WIDGETS:
        box = page.locator(sel).first.bounding_box()
        if box and box["width"] > 0 and box["height"] > 0:
            boxes[sel] = box

    def cross(a, b) -> bool:
        return (min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]) > 1
                and min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]) > 1)

    names = list(boxes)
    out = [(a, b, boxes[a], boxes[b]) for i, a in enumerate(names) for b in names[i + 1:]
           if cross(boxes[a], boxes[b])]
    # every piece of text on the page, measured as drawn (a label may run beyond its element)
    texts = page.evaluate("""(widgets) => {
        const out = [];
        const walk = document.createTreeWalker(document.querySelector('.planlib-explorer'), NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) {
            const n = walk.currentNode;
            if (!n.textContent.trim() || !n.parentElement || n.parentElement.closest('style')) continue;
            const st = getComputedStyle(n.parentElement);
            if (st.visibility === 'hidden' || st.display === 'none') continue;
            const folded = n.parentElement.closest('details');  // a closed list is laid out, not shown
            if (folded && !folded.open && !n.parentElement.closest('summary')) continue;
            const range = document.createRange();
            range.selectNodeContents(n);
            for (const r of range.getClientRects())
                if (r.width > 0 && r.height > 0) {
                    const home = widgets.find(sel => n.parentElement.closest(sel)) || null;
                    out.push({t: n.textContent.trim(), home: home, x: r.x, y: r.y, width: r.width, height: r.height});
                }
        }
        return out; }""", WIDGETS)
    out += [(a["t"], b["t"]) for i, a in enumerate(texts) for b in texts[i + 1:] if cross(a, b)]
    # no text runs out of its widget into another one or up to it (a long region name into the
    # buttons beside it, or touching them so that the two read as one): 6 px apart at least
    gap = 6
    out += [(t["t"], sel) for t in texts for sel, box in boxes.items()
            if t["home"] != sel and cross({**t, "x": t["x"] - gap, "width": t["width"] + 2 * gap}, box)]
    return out


def _select_five_regions(page, labels: list[str]) -> None:
    _set_regions(page, labels)


def _switch_to_chinese(page) -> None:
    src = page.get_attribute(".planlib-chart img", "src")
    page.locator(".planlib-language button", has_text="中文").click()
    _wait_for_change(page, ".planlib-chart img", "src", src)
    page.wait_for_function("() => document.querySelector('.planlib-table').innerText.includes('地区')",
                           timeout=WAIT_MS)


def test_explorer_in_chinese_and_normal_mode_without_overlaps(sync_api, voila, tmp_path):
    """Five regions in normal mode: no widget or label overlaps another (English, then Chinese);
    the language switch turns every label, the table and the chart Chinese; the Chinese CSV
    downloads in the browser and reads back with its byte-order mark."""
    import pandas as pd

    from planlib.apps.explorer import app_words, region_options
    zh = app_words("zh")
    with (sync_api.sync_playwright() as p,
          _explorer_page(p, voila, tmp_path, (1280, 720), ("normal_*.png",)) as (page, errors)):
        _select_five_regions(page, [k for k, _ in region_options()])
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "normal_en_1280x720.png"), full_page=True)
        overlaps = _overlapping_widgets(page)
        assert overlaps == [], "\n".join(map(str, overlaps))
        chart_en = page.locator(".planlib-chart img").screenshot()

        _switch_to_chinese(page)
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "normal_zh_1280x720.png"), full_page=True)
        overlaps = _overlapping_widgets(page)
        assert overlaps == [], "\n".join(map(str, overlaps))
        text = page.inner_text("body")
        latin = set(re.findall(r"[A-Za-z]{2,}", text)) - LATIN_OK
        assert not latin, sorted(latin)
        for word in (zh["label.indicator"], zh["label.regions"], zh["view.comparison"], zh["all_indicators"],
                     zh["presentation"], zh["download"], "阳春市", "威海市", "人均预期寿命"):
            assert word in text, word
        assert page.locator(".planlib-chart img").screenshot() != chart_en

        before = set(NOTEBOOK.parent.iterdir())
        with page.expect_download(timeout=WAIT_MS) as dl:
            page.locator(".planlib-download a").click()
        download = dl.value
        assert download.suggested_filename == "5个规划地区_人均预期寿命_历年数值.csv"
        target = tmp_path / "download_zh.csv"
        download.save_as(str(target))
        raw = target.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        got = pd.read_csv(target, encoding="utf-8-sig")
        assert zh["col.region"] in got.columns and zh["col.value"] in got.columns
        assert {"阳春市", "威海市"} <= set(got[zh["col.plan_region"]].dropna())
        assert set(got[zh["col.unit"]]) == {"岁"}
        assert 77.8 in set(got[zh["col.value"]].round(6))
        assert set(NOTEBOOK.parent.iterdir()) == before, "nothing written on the server"
        assert errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presentation_mode_fits_the_screen(sync_api, voila, tmp_path, lang):
    """Five regions, the comparison view, presentation mode, at 1024×768 and at a projector's
    1280×720: the chart is as wide as the window but fits its height, the table is below it,
    nothing runs off the right edge, type is large; in English and in Chinese."""
    from planlib.apps.explorer import app_words, region_options
    w = app_words(lang)
    with (sync_api.sync_playwright() as p,
          _explorer_page(p, voila, tmp_path, (1024, 768), ("presentation_*.png",)) as (page, _errors)):
        if lang != "en":
            _switch_to_chinese(page)
        _select_five_regions(page, [k for k, _ in region_options(lang=lang)])
        src = page.get_attribute(".planlib-chart img", "src")
        page.locator(".planlib-view button", has_text=w["view.comparison"]).click()
        _wait_for_change(page, ".planlib-chart img", "src", src)
        src = page.get_attribute(".planlib-chart img", "src")
        page.locator(".planlib-presentation").click()
        page.wait_for_selector(".planlib-present", timeout=WAIT_MS)
        _wait_for_change(page, ".planlib-chart img", "src", src)  # the wider figure of presentation mode
        for width, height in [(1024, 768), (1280, 720)]:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(500)
            name = f"presentation_{lang}_{width}x{height}"
            page.screenshot(path=str(tmp_path / f"{name}.png"))
            page.screenshot(path=str(tmp_path / f"{name}_full.png"), full_page=True)
            img = page.locator(".planlib-chart img").bounding_box()
            table = page.locator(".planlib-table table").bounding_box()
            assert img["width"] >= 0.9 * width - 40, "the chart spans the window"
            assert img["y"] + img["height"] <= height + 1, "the whole chart is on the screen"
            assert table["y"] >= img["y"] + img["height"] - 1, "the table is below the chart"
            assert table["x"] + table["width"] <= width, "the table fits the width"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            fs = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.planlib-data')).fontSize)")
            assert fs >= 16
            assert not page.locator(".planlib-intro").is_visible(), "the introduction gives way to the chart"
            overlaps = _overlapping_widgets(page)
            assert overlaps == [], "\n".join(map(str, overlaps))
            if lang != "en":
                text = page.inner_text("body")
                assert not set(re.findall(r"[A-Za-z]{2,}", text)) - LATIN_OK
                assert w["presentation"] in text
