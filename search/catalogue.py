"""The FAQ catalogue: the stable ids every build must carry, and the allowed categories."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import KbError


@dataclass(frozen=True)
class Catalogue:
    """Stable FAQ ids with their categories, and where each is declared."""

    path: Path
    categories: tuple[str, ...]
    entries: dict[str, str]
    lines: dict[str, int]


def load_catalogue(path: Path) -> Catalogue:
    """Given catalogue.yml, return the Catalogue."""
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as e:
        raise KbError(f"读不了目录文件 {path}：{e}", "检查 catalogue.yml 的 YAML 格式") from e
    lines: dict[str, int] = {}
    for key, value in node.value:
        if key.value == "entries":
            lines = {k.value: k.start_mark.line + 1 for k, _ in value.value}
    return Catalogue(path, tuple(data["categories"]), dict(data["entries"]), lines)
