"""The lock files pin, with hashes, every dependency pyproject names, and make/CI (dev.lock) install the very
versions deploys do (base.lock)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)", re.M)


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    return {name.lower().replace("_", "-").replace(".", "-"): version for name, version in _PIN.findall(text)}


def _project() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_dependency_is_pinned_for_deploys_and_for_development() -> None:
    project = _project()
    base, dev = _pins("base.lock"), _pins("dev.lock")
    assert sorted(_name(r) for r in project["dependencies"] if _name(r) not in base) == []
    assert sorted(_name(r) for r in project["optional-dependencies"]["dev"] if _name(r) not in dev) == []
    assert "setuptools" in base  # what `pip install --no-deps --no-build-isolation .` builds with


def test_development_installs_the_versions_deploys_install() -> None:
    base, dev = _pins("base.lock"), _pins("dev.lock")
    assert {name: (version, dev.get(name)) for name, version in base.items() if dev.get(name) != version} == {}


def test_every_pin_carries_hashes() -> None:
    for lock in ("base.lock", "dev.lock"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements" / lock).read_text(encoding="utf-8"))
        pinned = [entry for entry in entries if _PIN.match(entry)]
        assert pinned and [entry.split()[0] for entry in pinned if "--hash=sha256:" not in entry] == []
