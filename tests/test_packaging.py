"""environment.yml and pyproject.toml list the same packages with the same lower bounds."""
from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT

REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(>=\s*[0-9][^,;\s]*)?")


def _parse(spec: str) -> tuple[str, str]:
    m = REQ.match(spec)
    assert m, f"cannot parse requirement {spec!r}"
    return m.group(1).lower().replace("_", "-"), (m.group(3) or "").replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(meta["dependencies"])
    for extra in meta.get("optional-dependencies", {}).values():
        specs += extra
    return dict(_parse(s) for s in specs)


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and not dep.startswith(("python", "pip")):
            name, bound = _parse(dep)
            out[name] = bound
    return out


def test_every_dependency_has_a_lower_bound():
    missing = [n for n, b in pyproject_requirements().items() if not b]
    assert not missing, f"pyproject.toml dependencies without a >= lower bound: {missing}"


def test_environment_yml_agrees_with_pyproject():
    py, env = pyproject_requirements(), environment_requirements()
    assert set(py) == set(env), (f"only in pyproject.toml: {sorted(set(py) - set(env))}; "
                                 f"only in environment.yml: {sorted(set(env) - set(py))}")
    differ = {n: (py[n], env[n]) for n in py if py[n] != env[n]}
    assert not differ, f"lower bounds differ (pyproject, environment.yml): {differ}"


def test_python_version_agrees():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert py.replace("python", "") == meta["requires-python"]
