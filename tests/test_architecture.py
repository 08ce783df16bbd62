"""The README's Architecture section names every module of search/, and only modules that exist."""

from __future__ import annotations

import re

from tests.helpers import ROOT


def test_the_architecture_section_matches_the_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(\w+)\.py`", section))
    modules = {p.stem for p in (ROOT / "search").glob("*.py")} - {"__init__"}
    assert modules - named == set(), "add these modules to the README's Architecture section"
    assert named - modules - {"mkdocs_hooks"} == set(), "these are no modules of search/"
