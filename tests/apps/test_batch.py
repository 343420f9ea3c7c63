"""Batch build: every region's notebook runs, HTML without code, index, failures isolated."""
from __future__ import annotations

from pathlib import Path

import pytest

from planlib.apps import batch
from planlib.apps.cli import main

REGIONS = ["yangchun", "guangan", "anju", "xiangqiao", "weihai"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefings")
    figs = tmp_path_factory.mktemp("figures")
    results = batch.build(REGIONS, out=out, jobs=2, figures=figs, progress=False)
    return out, figs, results


def test_every_region_builds(built):
    out, figs, results = built
    assert [r.region_id for r in results] == REGIONS
    assert all(r.ok for r in results), [(r.region_id, r.cell, r.error) for r in results if not r.ok]
    for region in REGIONS:
        assert (out / f"{region}.ipynb").is_file()
        assert (out / f"{region}.html").is_file()
        for name in ("life_expectancy", "mortality", "workforce", "outlook"):
            assert (figs / region / f"{name}.png").is_file()
        assert not list((figs / region).glob("*.svg"))  # SVGs only on request (--svg)


def test_html_has_narrative_and_no_code(built):
    out, _, _ = built
    html = (out / "yangchun.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "Yangchun: health-plan briefing" in html
    assert "<title>Yangchun: health-plan briefing</title>" in html
    assert "2025 target is more than 79 years" in html
    assert "from planlib" not in html and "Briefing(region" not in html
    assert "remove_cell" not in html and "This notebook turns one region" not in html
    assert html.count("data:image/png;base64") >= 3
    weihai = (out / "weihai.html").read_text(encoding="utf-8")
    assert "sets no 2025 targets" in weihai


def test_html_fetches_nothing_from_the_internet(built):
    """A briefing opens on an offline or intranet PC: no script, style or font from a server."""
    import re
    out, _, _ = built
    for region in REGIONS:
        html = (out / f"{region}.html").read_text(encoding="utf-8")
        fetched = re.findall(r'<script[^>]+src="(?!data:)[^"]+"|<link[^>]+href="https?:[^"]+"|@import\s+url\(\s*["\']?https?:'
                             r'|import\(\s*["\']https?:|url\(\s*["\']?https?:', html)
        assert not fetched, (region, fetched)
        assert "<style" in html  # JupyterLab's CSS is inlined


def test_index_links_every_briefing(built):
    out, _, _ = built
    index = (out / "index.html").read_text(encoding="utf-8")
    for region in REGIONS:
        assert f'href="{region}.html"' in index
    assert "5 of 5 built" in index


def test_outputs_get_normal_file_permissions(built):
    """Temporary files are created 0600; the finished briefings must be readable like any file."""
    import stat

    from planlib.files import file_mode
    out, figs, _ = built
    for path in [out / "yangchun.html", out / "yangchun.ipynb", out / "index.html",
                 figs / "yangchun" / "life_expectancy.png"]:
        assert stat.S_IMODE(path.stat().st_mode) == file_mode(), path.name


def test_no_temporary_files_left(built):
    out, figs, _ = built
    leftovers = [p for p in list(out.rglob("*")) + list(figs.rglob("*")) if p.name.endswith(".tmp")]
    assert not leftovers


def test_options_csv_beside_each_briefing(built):
    """<region>-2030.csv beside each briefing: the options table as UTF-8 with BOM, linked from the
    links bar and under the "Looking to 2030" table."""
    import re

    from planlib import analyse_region
    from planlib.report.downloads import options_csv
    out, _, results = built
    for region, r in zip(REGIONS, results):
        path = out / f"{region}-2030.csv"
        assert r.options_csv == path and path.is_file()
        assert path.read_bytes() == options_csv(analyse_region(region), "en")
        text = path.read_text(encoding="utf-8-sig")
        assert text.startswith("Indicator,Unit,Latest outcome,Year,Option,2030 value,")
        page = (out / f"{region}.html").read_text(encoding="utf-8")
        nav = re.search(r'<nav class="planlib-nav".*?</nav>', page, re.S).group(0)
        assert f'href="{region}-2030.csv" download>2030 options (CSV)</a>' in nav
        section = page[page.index("<h2>Looking to 2030</h2>"):]
        table_end = section.index("</table>")
        assert section[table_end:].startswith(f'</table><p class="planlib-download">The options as a table to paste '
                                              f'into a draft plan: <a href="{region}-2030.csv" download>')
    assert "80" in (out / "yangchun-2030.csv").read_text(encoding="utf-8-sig")


def test_a_failed_write_leaves_no_options_csv(tmp_path, full_disk):
    """The options CSV is written with the briefing's other files: when it cannot be written, no
    file of the briefing appears (and with them, it never appears alone)."""
    full_disk(lambda path: path.name == "weihai-2030.csv")
    out = tmp_path / "out"
    results = batch.build(["weihai"], out=out, figures=tmp_path / "figs", jobs=1, progress=False)
    assert not results[0].ok and results[0].error.endswith("weihai-2030.csv: No space left on device")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["index.html", "index.zh.html", "methods.html"]
    assert not (tmp_path / "figs" / "weihai").exists()


def test_downloads_and_index_facts_come_from_the_kernels_analysis(tmp_path, monkeypatch):
    """One analysis per region: the kernel that ran the notebook works out the briefing's CSVs,
    its name and what both index tables show, from the analysis the notebook made; the build's
    own process analyses no region that built (before, it analysed each one a second time)."""
    from planlib.apps import pages
    calls = []

    def counted(real):
        def wrapper(*args, **kwargs):
            calls.append((real.__name__, args[:2]))
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(batch, "region_extras", counted(batch.region_extras))
    monkeypatch.setattr(batch, "region_facts", counted(batch.region_facts))
    monkeypatch.setattr(pages, "region_facts", counted(pages.region_facts))
    out = tmp_path / "out"
    results = batch.build(["weihai"], out=out, figures=tmp_path / "figs", jobs=1, progress=False,
                          langs=("en", "zh"))
    assert all(r.ok for r in results) and calls == []
    assert all(set(r.facts.verdicts) == {"en", "zh"} and r.facts.assessment for r in results)
    zh = (out / "index.zh.html").read_text(encoding="utf-8")
    assert '<table class="planlib-assessment">' in zh and "100%（6/6）" in zh
    assert (out / "weihai.zh.csv").read_bytes() == batch.region_extras("weihai", "zh", None).csv
    import nbformat  # the code run after the notebook leaves no cell in it
    cells = lambda path: [c.source for c in nbformat.read(path, as_version=4).cells]  # noqa: E731
    assert cells(out / "weihai.ipynb")[:1] + cells(out / "weihai.ipynb")[2:] == cells(batch.NOTEBOOK)


def test_without_a_warm_kernel_the_worker_works_out_the_downloads(tmp_path):
    """The papermill engine (a fresh kernel per region, nothing run after the notebook): the
    worker makes the same CSVs and index facts itself."""
    out, figs = tmp_path / "out", tmp_path / "figs"
    r = batch.build_one("anju", "zh", out, figs, None, engine="papermill")
    assert r.ok, r.error
    expected = batch.region_extras("anju", "zh", None)
    assert (out / "anju.zh.csv").read_bytes() == expected.csv
    assert (out / "anju-2030.zh.csv").read_bytes() == expected.options
    assert r.facts == expected.facts


def test_broken_region_does_not_stop_the_others(data_copy, tmp_path, capsys):
    with (data_copy / "regions.csv").open("a", encoding="utf-8") as fh:
        fh.write("brokenland,坏区,Brokenland,district,chaozhou,guangdong\n")
    code = main(["--data", str(data_copy), "briefings", "weihai", "brokenland", "--jobs", "2",
                 "--out", str(tmp_path / "out"), "--figures", str(tmp_path / "figs"), "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert "brokenland (en) at cell" in err and "has no observations" in err
    assert (tmp_path / "out" / "weihai.html").is_file() and (tmp_path / "out" / "weihai-2030.csv").is_file()
    assert not (tmp_path / "out" / "brokenland.html").exists()
    assert not (tmp_path / "out" / "brokenland-2030.csv").exists()
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Brokenland" in index and "failed" in index


@pytest.mark.parametrize("bad", ["atlantis", "../etc", "Yangchun", "a/b"])
def test_unknown_or_unsafe_region_ids_are_rejected(bad, tmp_path, capsys):
    assert main(["briefings", bad, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown region id" in err and "valid ids:" in err and "yangchun" in err
    assert not any(tmp_path.iterdir())


def test_write_atomic_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "x.html"
    target.write_text("old", encoding="utf-8")

    with pytest.raises(TypeError):
        batch.write_atomic(target, 12345)  # not text or bytes: fails mid-write
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.html"]


def _texts(nb) -> list[str]:
    """Displayed text of an executed briefing, without the build-time stamp."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            for mime in ("text/markdown", "text/html"):
                text = o.get("data", {}).get(mime)
                if text and "Built by planlib" not in text and "本简报由planlib" not in text:
                    out.append(text)
    return out


def test_reused_kernel_matches_fresh_kernel(tmp_path):
    """A warm kernel, after building another region, gives the same narrative and figures."""
    fresh_figs, warm_figs = tmp_path / "fresh", tmp_path / "warm"
    params = lambda region, figs: {"region": region, "lang": "en", "figures_dir": str(figs), "data_dir": None}
    fresh = batch._execute(batch.NOTEBOOK, params("anju", fresh_figs), "papermill")
    batch._execute(batch.NOTEBOOK, params("weihai", warm_figs), "warm")  # dirty the kernel first
    batch._execute(batch.NOTEBOOK, params("xiangqiao", warm_figs), "warm")
    warm = batch._execute(batch.NOTEBOOK, params("anju", warm_figs), "warm")
    assert batch._WARM.runs >= 3
    assert _texts(fresh) == _texts(warm)
    counts = lambda nb: [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts(fresh) == counts(warm) and len(fresh.cells) == len(warm.cells)
    for f in sorted((fresh_figs / "anju").iterdir()):
        assert f.read_bytes() == (warm_figs / "anju" / f.name).read_bytes(), f.name


def test_crashed_kernel_is_replaced(tmp_path):
    import os
    import signal
    params = {"region": "weihai", "lang": "en", "figures_dir": str(tmp_path), "data_dir": None}
    batch._execute(batch.NOTEBOOK, params, "warm")
    warm = batch._WARM
    os.kill(warm.km.provisioner.pid, signal.SIGKILL)  # the kernel dies between regions
    nb = batch._execute(batch.NOTEBOOK, params, "warm")
    assert any("Weihai" in t for t in _texts(nb))
    assert batch._WARM.km.is_alive()
    # the replacement is warmed up like the first: imports frozen out of the collector's view
    assert _freeze_count(batch._WARM) > 10_000


def _in_kernel(warm, code: str) -> str:
    """What ``code`` prints inside a warm kernel."""
    text = []
    hook = lambda m: text.append(m["content"]["text"]) if m["msg_type"] == "stream" else None
    warm.kc.execute_interactive(code, output_hook=hook, store_history=False, timeout=60)
    return "".join(text).strip()


def _freeze_count(warm) -> int:
    """gc.get_freeze_count() inside a warm kernel."""
    return int(_in_kernel(warm, "import gc; print(gc.get_freeze_count())"))


def test_reset_freezes_what_the_last_region_left_and_history_is_off(tmp_path):
    """Before each region the warm kernel collects the last one's garbage and freezes what
    survives (the loaded tables, cached analyses), so the next full collection does not scan
    them again; the kernel keeps no SQLite input history."""
    batch.shutdown_kernel()
    params = lambda region: {"region": region, "lang": "en", "figures_dir": str(tmp_path), "data_dir": None}
    batch._execute(batch.NOTEBOOK, params("weihai"), "warm")
    after_warm_up = _freeze_count(batch._WARM)
    batch._execute(batch.NOTEBOOK, params("anju"), "warm")  # the reset froze weihai's survivors
    assert _freeze_count(batch._WARM) > after_warm_up + 1000
    assert _in_kernel(batch._WARM, "print(get_ipython().history_manager.enabled)") == "False"


@pytest.mark.usefixtures("no_documents")
def test_unchanged_briefings_are_skipped_and_changes_rebuild(data_copy, tmp_path):
    out, figs = tmp_path / "out", tmp_path / "figs"
    first = batch.build(["weihai"], out=out, jobs=1, figures=figs, data=str(data_copy), progress=False)
    assert first[0].ok and not first[0].skipped
    import re
    assert re.search(r'title="生成耗时\d+\.\d秒"', (out / "index.zh.html").read_text(encoding="utf-8"))
    again = batch.build(["weihai"], out=out, jobs=1, figures=figs, data=str(data_copy), progress=False)
    assert again[0].ok and again[0].skipped
    assert "unchanged since the last build" in (out / "index.html").read_text(encoding="utf-8")
    zh = (out / "index.zh.html").read_text(encoding="utf-8")  # the link's hover text in the page's language
    assert 'title="数据和程序均未变动，沿用上次生成的结果"' in zh and "unchanged" not in zh
    forced = batch.build(["weihai"], out=out, jobs=1, figures=figs, data=str(data_copy), progress=False,
                         force=True)
    assert not forced[0].skipped
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as fh:  # a data fix
        fh.write("weihai,beds_per_1000,2022,actual,,=,7.1,7.1,张,,weihai_14th_midterm,23,test\n")
    changed = batch.build(["weihai"], out=out, jobs=1, figures=figs, data=str(data_copy), progress=False)
    assert changed[0].ok and not changed[0].skipped
    assert "7.1" in (out / "weihai.html").read_text(encoding="utf-8")


@pytest.mark.usefixtures("no_documents")
def test_svg_figures_on_request_rebuild_and_leave_no_stale_files(data_copy, tmp_path):
    """--svg is an input of the briefing: asking for SVGs rebuilds it and writes them beside the
    PNGs; building again without rebuilds it and removes them (they would no longer match)."""
    out, figs = tmp_path / "out", tmp_path / "figs"
    kw = {"out": out, "jobs": 1, "figures": figs, "data": str(data_copy), "progress": False}
    names = ("life_expectancy", "mortality", "workforce", "outlook")
    first = batch.build(["weihai"], **kw)
    assert first[0].ok and not list((figs / "weihai").glob("*.svg"))
    with_svg = batch.build(["weihai"], svg=True, **kw)
    assert with_svg[0].ok and not with_svg[0].skipped
    assert sorted(p.name for p in (figs / "weihai").iterdir()) == sorted(
        f"{n}.{e}" for n in names for e in ("png", "svg"))
    assert batch.build(["weihai"], svg=True, **kw)[0].skipped
    (figs / "weihai" / "outlook.svg").unlink()  # a missing output rebuilds
    assert not batch.build(["weihai"], svg=True, **kw)[0].skipped
    assert (figs / "weihai" / "outlook.svg").read_text(encoding="utf-8").rstrip().endswith("</svg>")
    without = batch.build(["weihai"], **kw)
    assert without[0].ok and not without[0].skipped
    assert sorted(p.name for p in (figs / "weihai").iterdir()) == sorted(f"{n}.png" for n in names)


def test_workers_start_without_pandas():
    """Batch workers import planlib.apps.batch; that import must not pull in pandas or pandera (it
    would delay each worker's kernel start), while the public API still loads on first use."""
    import subprocess
    import sys
    code = ("import sys; import planlib.apps.batch as b; import planlib.data.tables as d\n"
            "print(sorted(m for m in ('pandas', 'pandera') if m in sys.modules))\n")
    code_light = ("import sys; from planlib.apps import batch; print(sorted(m for m in ('pandas', 'pandera', 'matplotlib')"
                  " if m in sys.modules), batch.NOTEBOOK)")
    light = subprocess.run([sys.executable, "-c", code_light], capture_output=True, text=True, check=True).stdout
    assert light.startswith("[] ")
    from planlib.data.tables import BUNDLED_DATA
    notebook = Path(light.split(" ", 1)[1].strip())
    assert notebook == batch.NOTEBOOK and notebook.is_file()
    assert notebook.parent.parent / "data" == BUNDLED_DATA  # notebooks and tables found in one place
    full = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pandas" in full  # the data module itself still needs it
    import planlib
    assert planlib.load_observations is planlib.data.load_observations
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        planlib.nope


def test_workers_skip_the_slow_iri_import_and_still_validate_notebooks():
    import subprocess
    import sys
    code = ("import sys, time; from planlib.apps import batch; batch._skip_slow_imports(); t = time.perf_counter()\n"
            "import nbformat; nb = nbformat.read(str(batch.NOTEBOOK), as_version=4); nbformat.validate(nb)\n"
            "nb.cells[0]['cell_type'] = 'no such type'\n"
            "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n    print('invalid caught')\n"
            "print(sys.modules.get('rfc3987_syntax'), round(time.perf_counter() - t, 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "invalid caught" in out
    assert out.splitlines()[-1].startswith("None ")  # never imported


def test_memory_trim_runs_on_glibc():
    import platform
    import sys
    on_glibc = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"
    assert batch.trim_memory() is on_glibc
    assert batch.trim_memory() is on_glibc  # and again, from the cached library handle


def test_rebuild_key_covers_every_module_of_the_package(tmp_path):
    """A change to any file of the package changes every briefing's key, including modules that
    no list names (values, uncertainty) and modules added later."""
    import shutil
    copy = tmp_path / "planlib"
    shutil.copytree(batch.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    args = ("yangchun", "en", tmp_path / "figs", None, batch.NOTEBOOK)
    before = batch.inputs_key(*args, batch.package_hash(copy))
    assert batch.package_hash(copy) == batch.package_hash(copy)  # stable
    for edit in (copy / "analysis" / "uncertainty.py", copy / "data" / "values.py"):
        edit.write_text(edit.read_text() + "\n# a change\n")
        after = batch.inputs_key(*args, batch.package_hash(copy))
        assert after != before
        before = after
    (copy / "report" / "new_module.py").write_text("X = 1\n")
    assert batch.inputs_key(*args, batch.package_hash(copy)) != before
    (copy / "report" / "__pycache__").mkdir(exist_ok=True)
    (copy / "report" / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    same = batch.package_hash(copy)
    (copy / "report" / "__pycache__" / "x.pyc").write_bytes(b"recompiled")
    assert batch.package_hash(copy) == same  # compiled caches follow the sources
