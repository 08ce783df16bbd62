"""`kb`: the command line for editors and support agents, a thin adapter over the `search` library."""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import search
from search.contracts import Gap, Report
from search.errors import ContentError, DataFileError, KbError

STARTED = time.perf_counter()  # for the start-up time kb search reports beside the search's own
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


@command(
    "publish", "发布：kb check → 构建站点 → 更新索引，全部成功才上线；失败时线上站点和索引不变"
)
def _publish(args: argparse.Namespace, settings: search.Settings) -> int:
    stages = {"check": "检查内容…", "build": "构建站点…", "index": "更新索引…", "live": "上线…"}
    result = search.publish(settings, progress=lambda stage: _err(f"kb publish：{stages[stage]}"))
    for warning in result["warnings"]:
        _err(warning)
    index = result["index"]
    print(
        f"已发布（{result['seconds']} 秒）：站点 {settings.site_dir}；索引 {index.get('documents', '?')} 个文档"
        f"（新增 {index.get('added', 0)}，更新 {index.get('updated', 0)}，删除 {index.get('removed', 0)}）。"
        "运行中的服务会在几秒内自动使用新版本。"
    )
    return 0


def _index_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--full", action="store_true", help="全部重建（默认只重写改动过的段落）")


@command("index", "从 docs/ 更新搜索索引（增量；--full 全部重建）", _index_args)
def _index(args: argparse.Namespace, settings: search.Settings) -> int:
    stats = search.build_index(settings, full=args.full)
    print(
        f"索引已更新（{stats['seconds']} 秒）：{search.live_index_dir(settings)}，共 {stats['documents']} 个文档；"
        f"新增 {stats['added']}，更新 {stats['updated']}，删除 {stats['removed']}，"
        f"未变 {stats['unchanged']}"
    )
    return 0


def _search_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", help="要搜索的问题；写 - 则从标准输入每行读一个问题")
    p.add_argument("--limit", type=int, default=10, help="最多返回几条（1–50，默认 10）")
    p.add_argument("--category", help="只搜这个分类，例如 退货")
    p.add_argument("--json", action="store_true", help="输出 JSON（和 HTTP API 的格式相同）")


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _terminal(snippet: str, tty: bool) -> str:
    """Given an HTML snippet, return terminal text: matches bold on a tty, in 【】 otherwise."""
    marked = _MARK.sub(
        lambda m: f"\033[1m{m.group(1)}\033[0m" if tty else f"【{m.group(1)}】", snippet
    )
    return html.unescape(marked)


def _print_results(data: dict, tty: bool, startup_ms: float | None = None) -> None:
    if not data["results"]:
        related = data.get("related") or []
        if not related:
            print(f"“{data['query']}”：没有找到相关答案（换个说法试试，或联系客服）")
            return
        print(f"“{data['query']}”：没有完全对应的答案，你可能想问：")
        for r in related:
            print(f"  - {r['title']}  {r['url']}")
        print("都不是？请联系客服：/contact/#contact-service")
        return
    started = f"，启动 {startup_ms:.0f} 毫秒" if startup_ms is not None else ""
    print(f"“{data['query']}”：{data['total']} 条结果（搜索 {data['took_ms']} 毫秒{started}）")
    for n, r in enumerate(data["results"], 1):
        print(f"\n{n}. {r['title']}  [{r['category']}]  {r['url']}")
        print(f"   {_terminal(r['snippet'], tty)}")


def _search_one(args: argparse.Namespace, settings: search.Settings, query: str) -> dict:
    return search.search(settings, query, limit=args.limit, category=args.category)


@command("search", "搜索帮助中心（终端高亮，或 --json；问题写 - 时逐行读标准输入）", _search_args)
def _search(args: argparse.Namespace, settings: search.Settings) -> int:
    tty = sys.stdout.isatty()
    search.warm(settings)  # the index and dictionaries: start-up, not the search's took_ms
    startup_ms = (time.perf_counter() - STARTED) * 1000
    if args.query != "-":
        data = _search_one(args, settings, args.query)
        if args.json:
            print(json.dumps(data, ensure_ascii=False))
        else:
            _print_results(data, tty, startup_ms)
        return 0
    for line in sys.stdin:
        query = line.rstrip("\r\n")
        try:
            data = _search_one(args, settings, query)
        except search.BadQuery as e:  # one bad line does not stop the batch
            data = {"query": query, "error": {"message": str(e), "hint": e.hint}}
            if not args.json:
                _err(f"kb：{e}" + (f"\n提示：{e.hint}" if e.hint else ""))
                continue
        if args.json:
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            _print_results(data, tty)
    return 0


def _new_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="页面路径（相对 docs/，不带 .md），例如 gift-orders")
    p.add_argument("--title", required=True, help="页面标题，例如 礼品订单")
    p.add_argument("--category", required=True, help="分类，例如 订单")
    p.add_argument(
        "--id", required=True, dest="faq_id", help="第一个 FAQ 的固定 id，例如 gift-order-address"
    )
    p.add_argument("--question", required=True, help="第一个 FAQ 的问题，例如 可以直接寄给朋友吗？")


@command("new", "新建一个页面：合法的 front matter、一个示例 FAQ 段落，并加入导航", _new_args)
def _new(args: argparse.Namespace, settings: search.Settings) -> int:
    path = search.new_page(
        settings, args.path, args.title, args.category, args.faq_id, args.question
    )
    print(f"已创建 {path.relative_to(settings.root)}，并加入了 mkdocs.yml 的导航。")
    print("把所有 “（待填写）” 换成真正的内容，然后运行 kb check 和 kb publish。")
    return 0


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--workers", type=int, default=1, help="工作进程数（默认 1）")


@command("serve", "启动帮助中心：站点 + 搜索 API（需要时先构建站点和索引）", _serve_args)
def _serve(args: argparse.Namespace, settings: search.Settings) -> int:
    if not 1 <= args.workers <= 64:
        _err("kb：--workers 必须在 1 到 64 之间")
        return 2
    if not 1 <= args.port <= 65535:
        _err("kb：--port 必须在 1 到 65535 之间")
        return 2
    done = search.ensure_built(settings, progress=lambda message: print(message, flush=True))
    if done:
        print(f"已更新：{'、'.join({'site': '站点', 'index': '索引'}[d] for d in done)}")
    print(
        f"帮助中心：http://{args.host}:{args.port}/   代理页面：http://{args.host}:{args.port}/search/"
    )
    search.serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def format_report(data: Report) -> str:
    """Given report data, return it as readable Chinese text for a terminal."""
    out = [
        f"最近 {data['days']} 天（{data['start']} 至 {data['end']}）：共 {data['searches']} 次搜索",
        "",
    ]

    def table(
        title: str, rows: Sequence[Mapping[str, object]], fmt: str, empty: str = "（无）"
    ) -> None:
        out.append(f"== {title} ==")
        out.extend(fmt.format(**row) for row in rows)
        if not rows:
            out.append(empty)
        out.append("")

    table(
        "每天（含已汇总的旧记录）",
        data["trend"],
        "  {day}  {searches:>5} 次搜索  无结果 {zero_share:.0%}  点击率 {click_through:.0%}",
    )
    table("热门搜索", data["top_queries"], "{count:>5} 次  {query}  （{results} 条结果）")
    table(
        "没有结果的搜索（考虑补充内容或同义词）",
        data["zero_result_queries"],
        "{count:>5} 次  {query}",
    )
    table(
        "有结果但没人点击的搜索",
        data["unclicked_queries"],
        "{count:>5} 次  {query}  （第一条：{top_id}）",
    )
    table("阅读最多的答案（来自搜索点击）", data["most_read"], "{clicks:>5} 次  {id}")
    out.append("== 答案反馈 ==")
    for row in data["feedback"]:
        reasons = "、".join(f"{k} {v}" for k, v in row["reasons"].items())
        out.append(
            f"  {row['id']}: 有帮助 {row['helpful']}，没帮助 {row['not_helpful']}"
            + (f"（{reasons}）" if reasons else "")
        )
    if not data["feedback"]:
        out.append("（无）")
    return "\n".join(out)


def format_gaps(rows: list[Gap]) -> str:
    """Given content-gap groups, return them as readable Chinese text for a terminal."""
    if not rows:
        return "== 内容缺口 ==\n（无：没有找不到答案的搜索）"
    out = ["== 内容缺口（意思相同的无结果 / 没帮助搜索）=="]
    for n, row in enumerate(rows, 1):
        out.append(f"{n:>3}. {row['count']} 次  {' / '.join(row['queries'][:6])}  （{row['why']}）")
        if row["nearest_id"]:
            out.append(
                f"     最接近的答案：{row['nearest_id']}「{row['nearest_title']}」 {row['nearest_url']}"
            )
            out.append("     在该页 front matter 的 phrasings: 下加：")
            out.extend(f"       {line}" for line in row["phrasing"].splitlines())
        else:
            out.append("     没有接近的答案：考虑写一个新答案（kb new …）")
    return "\n".join(out)


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--days", type=int, default=30, help="统计最近多少天（默认 30）")
    p.add_argument("--top", type=int, default=20, help="每个列表最多显示几条（默认 20）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument(
        "--gaps",
        action="store_true",
        help="只看内容缺口：意思相同的无结果 / 没帮助搜索，最接近的答案和可加的 phrasings:",
    )


@command(
    "report", "搜索报告：热门搜索、无结果搜索、无人点击的搜索、阅读最多的答案、反馈", _report_args
)
def _report(args: argparse.Namespace, settings: search.Settings) -> int:
    if args.days < 1 or args.top < 1:
        _err("kb：--days 和 --top 必须是正整数")
        return 2
    data = search.report(settings.analytics_store, days=args.days, top=args.top)
    if args.gaps:
        rows = search.gaps(settings, data)
        print(json.dumps(rows, ensure_ascii=False, indent=2) if args.json else format_gaps(rows))
        return 0
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else format_report(data))
    return 0


def _admin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["add-editor", "remove-editor", "list"], help="要做的事")
    p.add_argument("name", nargs="?", help="编辑的用户名")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="从标准输入读密码（脚本用；默认在终端里输入两次）",
    )


def _password(args: argparse.Namespace) -> str | None:
    import getpass

    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码：")
    if first != getpass.getpass("再输入一次："):
        _err("kb：两次输入的密码不一样")
        return None
    return first


@command("admin", "编辑后台账号：add-editor NAME 设置密码，remove-editor NAME，list", _admin_args)
def _admin(args: argparse.Namespace, settings: search.Settings) -> int:
    store = settings.analytics_store
    if args.action == "list":
        print("\n".join(search.list_editors(store)) or "（还没有编辑：kb admin add-editor 名字）")
        return 0
    if not args.name:
        _err(f"kb：{args.action} 需要编辑的用户名，例如 kb admin {args.action} xiaoli")
        return 2
    if args.action == "remove-editor":
        search.remove_editor(store, args.name)
        print(f"已删除编辑 {args.name}，其登录立即失效。")
        return 0
    password = _password(args)
    if password is None:
        return 2
    new = search.add_editor(store, args.name, password)
    print(f"{'已添加编辑' if new else '已更新密码：'} {args.name}。登录：/admin/")
    return 0


def _shown(path: str, settings: search.Settings | None) -> str:
    """Given a file's path, return it relative to the help center's folder when it is inside it."""
    try:
        return Path(path).relative_to(settings.root).as_posix() if settings else path
    except ValueError:
        return path


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
    settings = None
    try:
        settings = search.load_settings(args.root)
        return args.handler(args, settings)
    except ContentError as e:
        for p in e.problems:
            _err(p)
        _err(f"kb：{e}。{e.hint}")
        return e.exit_code
    except DataFileError as e:  # the same file:line line `kb check` prints
        _err(e.problem(_shown(e.path, settings)))
        return e.exit_code
    except KbError as e:
        _err(f"kb：{e}" + (f"\n提示：{e.hint}" if e.hint else ""))
        return e.exit_code
    except KeyboardInterrupt:
        _err("kb：已中断")
        return 130


if __name__ == "__main__":
    sys.exit(main())
