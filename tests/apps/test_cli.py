"""The command line: `planlib check` and `planlib summary`."""
from __future__ import annotations

import subprocess
import sys

from planlib.apps.cli import main


def test_check_prints_findings_and_exits_zero(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "all valid" in out
    assert "[error] under5_mortality 2020 — impossible_relation" in out
    assert "Summary by check:" in out


def test_check_one_region_and_severity(capsys):
    assert main(["check", "--region", "xiangqiao", "--severity", "error"]) == 0
    out = capsys.readouterr().out
    assert "== xiangqiao: 1 finding(s)" in out and "anju" not in out


def test_summary(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "yangchun" in out and "Briefing regions" in out


def test_bad_data_exits_two_with_location(data_copy, capsys):
    p = data_copy / "regions.csv"
    p.write_text(p.read_text(encoding="utf-8") + "bad,坏,Bad,village,china,\n", encoding="utf-8")
    assert main(["--data", str(data_copy), "check"]) == 2
    err = capsys.readouterr().err
    assert "regions.csv, row 14 (line 15), column 'level': bad value 'village'" in err


def test_console_script_installed():
    r = subprocess.run([sys.executable, "-m", "planlib.apps.cli", "summary"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
