"""`kb`: the command line for editors and support agents, a thin adapter over the `search` library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import search
from search.errors import ContentError, KbError

Handler = Callable[[argparse.Namespace, "search.Settings"], int]
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(name: str, help: str, args: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a subcommand: `args` adds its options, the decorated function runs it."""

    def register(fn: Handler) -> Handler:
        fn.__doc__ = fn.__doc__ or help
        COMMANDS[name] = (args, fn)
        COMMANDS[name][1].help = help  # type: ignore[attr-defined]
        return fn

    return register


def _err(*parts: object) -> None:
    print(*parts, file=sys.stderr)


@command("check", "检查 docs/ 里的页面：front matter、FAQ id、锚点、链接、空段落")
def _check(args: argparse.Namespace, settings: search.Settings) -> int:
    warnings = search.check(settings)
    for p in warnings:
        _err(p)
    print(f"kb check：通过（{len(warnings)} 条提醒）")
    return 0


@command("build", "严格模式构建站点到 site/（失败时线上站点不变）")
def _build(args: argparse.Namespace, settings: search.Settings) -> int:
    release = search.build_site(settings)
    print(f"站点已构建并上线：{settings.site_dir} → {release}")
    return 0


def parser() -> argparse.ArgumentParser:
    """Return the argument parser with every registered subcommand."""
    ap = argparse.ArgumentParser(
        prog="kb", description="亚马逊海外购帮助中心：内容检查、构建、索引、搜索与服务"
    )
    ap.add_argument("--root", help="帮助中心仓库目录（默认：当前目录或其上级）")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (add_args, fn) in COMMANDS.items():
        sp = sub.add_parser(name, help=fn.help, description=fn.help)  # type: ignore[attr-defined]
        add_args(sp)
        sp.set_defaults(handler=fn)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Run `kb` with argv; return the exit status (named library errors become messages, not tracebacks)."""
    args = parser().parse_args(argv)
    try:
        settings = search.load_settings(args.root)
        return args.handler(args, settings)
    except ContentError as e:
        for p in e.problems:
            _err(p)
        _err(f"kb：{e}。{e.hint}")
        return e.exit_code
    except KbError as e:
        _err(f"kb：{e}" + (f"\n提示：{e.hint}" if e.hint else ""))
        return e.exit_code
    except KeyboardInterrupt:
        _err("kb：已中断")
        return 130


if __name__ == "__main__":
    sys.exit(main())
