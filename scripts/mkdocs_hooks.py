"""MkDocs hooks: glue between the site build and the `search` package (no logic of its own)."""

from __future__ import annotations

import logging

from mkdocs.exceptions import PluginError

# Runs at config load, before Material's search plugin initialises jieba:
# its "Building prefix dict" lines are progress chatter, not warnings.
logging.getLogger("jieba").setLevel(logging.WARNING)


def on_config(config):
    """Refuse to build a Chinese site whose built-in search would silently skip segmentation."""
    try:
        import jieba  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise PluginError("jieba 未安装：站内搜索无法切分中文。请 pip install -e '.[test]'") from e
    return config
