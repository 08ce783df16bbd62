#!/usr/bin/env python3
"""Benchmark the search in-process, beside the naive baseline measured in the same run.

Usage: scripts/bench_search.py [QUERIES.tsv] [--rounds N] [--sizes 1000,10000] [--against REF]

For the real corpus (docs/) and for synthetic corpora it generates, prints index build time and
query latency p50/p99 (tokenising, searching and highlighting included) for this search and for
the baseline (jieba's ChineseAnalyzer + Whoosh's default QueryParser), with their ratios. The
real corpus is also measured with an old commit's own search over its own pages (`--against`,
default: main before issue 9; '' skips), built from `git archive` into a temporary folder and run
in a subprocess, interleaved round by round with this checkout's, so both see the same machine
load. The synthetic corpora's vocabulary grows with their size (new brands, products and model names), as a
real help center's does; the worst case gives every section the same common words.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from revision import extract

warnings.filterwarnings("ignore", module="jieba")  # jieba 0.42.1's own import warnings
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.analyzer import _segment  # noqa: E402
from search.engine import Engine  # noqa: E402
from search.evaluation import Baseline, load_queries  # noqa: E402
from search.indexer import documents, section_document, update_index  # noqa: E402
from search.page import Section  # noqa: E402
from search.settings import load_settings  # noqa: E402


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PRODUCTS = _split(
    "奶粉 手表 耳机 跑鞋 背包 面霜 咖啡机 行李箱 相机 键盘 显示器 保温杯 玩具 维生素 鱼油 平板 "
    "电动牙刷 吹风机 剃须刀 香水 口红 图书 积木 婴儿车 奶瓶 纸尿裤 洗发水 防晒霜 蛋白粉 钙片 "
    "羽绒服 牛仔裤 衬衫 运动裤 太阳镜 钱包 皮带 围巾 手套 帽子 床单 枕头 炒锅 刀具 榨汁机 "
    "空气炸锅 净水器 加湿器 扫地机 路由器 硬盘 鼠标 音箱 投影仪 游戏机 手柄 滑板 瑜伽垫 帐篷"
)
SITUATIONS = _split(
    "发错货 少发件 外包装破损 物流延迟 清关失败 地址写错 尺码不合适 颜色不对 重复扣款 要开发票 "
    "保修期内坏了 想换货 被收关税 预售未发货 显示缺货 降价了 优惠券没用上 礼品卡余额 积分没到账 "
    "会员续费 签收后丢失 被别人签收 电池鼓包 说明书是外文 插头不匹配 电压不同 有异味 过期 "
    "配件缺失 序列号对不上 包裹被退回 海关查验 快递停滞 无法激活"
)
ACTIONS = tuple(
    [
        "申请",
        "取消",
        "退货",
        "退款",
        "查询",
        "修改",
        "补发",
        "投诉",
        "联系客服",
        "上传凭证",
        "更换",
        "催单",
        "理赔",
        "开票",
    ]
)
WORDS = _split(
    "请在 工作日 内 提交 照片 说明 情况 系统 审核 通过 以后 会 通知 你 处理 结果 原支付账户 "
    "如果 需要 可以 通过 邮件 电话 联系 我们 订单号 商品 页面 按钮 入口 规则 时间 费用 承担 "
    "具体 以 实际 为准 海外 仓库 国内 配送 包裹 快递 单号 物流 信息 更新 保留 凭证"
)
TITLES = (
    "{brand}{product}{situation}怎么{action}？",
    "{product}{situation}了还能{action}吗？",
    "买的{brand}{product}{situation}，怎么办？",
    "{situation}的{product}可以{action}吗？",
    "{brand}{product}（{model}）{situation}要多久处理？",
)
QUERIES = (
    "{product}{situation}怎么办",
    "{brand}{product}能{action}吗",
    "我买的{product}{situation}了想{action}",
    "{situation}{action}要多久",
    "{model}{situation}",
)
CHARS = "安宝博川达德东方丰福光广海汉和宏华佳嘉健金锦康蓝乐力联龙美明南宁鹏平奇瑞森盛时泰天通伟文祥鑫星雅易永宇元悦泽正志中卓"


def synthetic_sections(n: int, seed: int = 7) -> tuple[list[Section], list[str]]:
    """Given a size, return n help sections whose vocabulary grows with n, and queries about them."""
    rng = random.Random(seed)
    brands = [a + b for a in CHARS for b in CHARS if a != b]
    rng.shuffle(brands)
    vocab_brands = brands[: max(20, n // 5)]  # about one new brand every five sections
    sections, queries = [], []
    for i in range(n):
        fill = {
            "brand": rng.choice(vocab_brands),
            "product": rng.choice(PRODUCTS),
            "situation": rng.choice(SITUATIONS),
            "action": rng.choice(ACTIONS),
            "model": f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(10, 9999)}",
        }
        title = rng.choice(TITLES).format(**fill)
        body = "。".join(
            "".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
            + rng.choice(
                (
                    "",
                    fill["product"],
                    fill["situation"],
                    fill["brand"],
                    f"{rng.randint(1, 30)}个工作日",
                )
            )
            for _ in range(rng.randint(3, 6))
        )
        text = f"{fill['brand']}{fill['product']}{fill['situation']}时，{body}。"
        sid = f"s{i}"
        sections.append(
            Section(sid, title, f"/synthetic/#{sid}", "退货", 1, f"<p>{text}</p>", text)
        )
        if i % max(1, n // 200) == 0:
            queries.append(rng.choice(QUERIES).format(**fill))
    return sections, queries


def worst_sections(n: int) -> tuple[list[Section], list[str]]:
    """Given a size, return n sections that all share the same common words, and queries of them."""
    common = "订单退货退款运费取消商品包裹客服工作日原支付账户"
    sections = [
        Section(
            f"w{i}",
            f"订单退货退款问题{i}",
            f"/worst/#w{i}",
            "退货",
            1,
            f"<p>{common}，编号{i}。</p>",
            f"{common}，编号{i}。",
        )
        for i in range(n)
    ]
    queries = [
        "订单退货退款运费",
        "取消订单退款",
        "商品包裹客服",
        "退货运费工作日",
        "原支付账户退款",
    ]
    return sections, queries


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(
    name: str, make_docs: Callable[[], list[dict]], queries: list[str], rounds: int, settings
) -> dict:
    """Given how to make index documents, and queries: build seconds and latency percentiles of both."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        ours_dir, base_dir = Path(tmp, "ours"), Path(tmp, "baseline")
        _segment.cache_clear()  # a build from cold: reading pages and cutting words included
        docs: list[dict] = []
        out["build_ours"] = (
            timed(
                lambda: update_index(
                    ours_dir, settings.data_dir, docs.extend(make_docs()) or docs, full=True
                )
            )
            / 1000
        )
        base_dir.mkdir()
        baseline: list[Baseline] = []
        out["build_base"] = (
            timed(lambda: baseline.append(Baseline(docs, base_dir, store=True))) / 1000
        )
        # cache_size=0: every query analysed, searched and highlighted (memoised answers would
        # measure a dictionary lookup, not the search).
        with Engine(settings.with_paths(index_dir=ours_dir), cache_size=0) as engine:
            engine.search(queries[0])  # open the searcher and warm caches, as a server would
            ours = [timed(lambda q=q: engine.search(q)) for _ in range(rounds) for q in queries]
        base = [
            timed(lambda q=q: baseline[0].highlighted(q)) for _ in range(rounds) for q in queries
        ]
        baseline[0].close()
    out |= {
        "p50_ours": statistics.median(ours),
        "p99_ours": percentile(ours, 0.99),
        "p50_base": statistics.median(base),
        "p99_base": percentile(base, 0.99),
    }
    print(
        f"{name:<22} {len(docs):>6} {out['build_ours']:>8.2f} {out['build_base']:>8.2f} "
        f"{out['p50_ours']:>8.2f} {out['p99_ours']:>8.2f} {out['p50_base']:>8.2f} {out['p99_base']:>8.2f} "
        f"{out['p50_ours'] / out['p50_base']:>7.2f}",
        flush=True,
    )
    return out


BEFORE_ISSUE_9 = "a732ca4"  # main before the blind evaluation and the fitted ranking
BEFORE_ISSUE_14 = "882a7bf"  # main after issue 9 (which already scored from cached postings)
# The old commit's side: index its own docs/, then time each query of every round it is sent.
OLD_RUNNER = """
import json, os, sys, tempfile, time, warnings
warnings.filterwarnings("ignore")
from pathlib import Path
root = Path(sys.argv[1]); sys.path.insert(0, str(root))
tmp = tempfile.mkdtemp()
os.environ["KB_INDEX_DIR"] = tmp
from search.settings import load_settings
from search.indexer import build_index, section_document, update_index
from search.engine import Engine
s = load_settings(root)
if len(sys.argv) > 3:  # a synthetic corpus: generated by this checkout's script, indexed by the old code
    sys.path.insert(1, sys.argv[2])
    import bench_search
    sections, _ = bench_search.synthetic_sections(int(sys.argv[3]))
    update_index(Path(tmp), s.data_dir, [section_document(x, s.data_dir) for x in sections], full=True)
else:
    build_index(s, full=True)
engine = Engine(s.with_paths(index_dir=Path(tmp)), cache_size=0)
print("ready", flush=True)
for line in sys.stdin:
    out = []
    for q in json.loads(line):
        t = time.perf_counter(); engine.search(q); out.append((time.perf_counter() - t) * 1000)
    print(json.dumps(out), flush=True)
"""


class OldSearch:
    """An old commit's search in a subprocess, timing queries on request."""

    def __init__(self, ref: str, synthetic: int = 0) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="kb-old-")
        extract(ref, self.tmp.name)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", OLD_RUNNER, self.tmp.name]
            + ([str(ROOT / "scripts"), str(synthetic)] if synthetic else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout and self.proc.stdout.readline().strip() == "ready"

    def times(self, queries: list[str]) -> list[float]:
        """Given queries, return the old search's milliseconds for each."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(queries) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()
        self.tmp.cleanup()


def against_old(ref: str, queries: list[str], rounds: int, settings, synthetic: int = 0) -> None:
    """Given an old commit and queries, print both searches' p50/p99, measured interleaved
    (on the real corpus, or on a synthetic one of `synthetic` sections)."""
    old = OldSearch(ref, synthetic)
    ours_t: list[float] = []
    old_t: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        if synthetic:
            sections, _ = synthetic_sections(synthetic)
            docs = [section_document(x, settings.data_dir) for x in sections]
        else:
            docs = documents(settings)
        update_index(Path(tmp), settings.data_dir, docs, full=True)
        with Engine(settings.with_paths(index_dir=Path(tmp)), cache_size=0) as engine:
            engine.search(queries[0])
            old.times(queries[:1])
            for _ in range(rounds):
                ours_t += [timed(lambda q=q: engine.search(q)) for q in queries]
                old_t += old.times(queries)
    old.close()
    p50, o50 = statistics.median(ours_t), statistics.median(old_t)
    p99, o99 = percentile(ours_t, 0.99), percentile(old_t, 0.99)
    corpus = f"synthetic {synthetic}" if synthetic else "real corpus"
    print(
        f"{corpus}, interleaved with @{ref}: p50 {p50:.2f} ms vs {o50:.2f} ms "
        f"(ratio {p50 / o50:.2f}), p99 {p99:.2f} ms vs {o99:.2f} ms (ratio {p99 / o99:.2f})",
        flush=True,
    )
    return p50


BENCH_DEPS = (
    Path(tempfile.gettempdir()) / "kb-bench-deps"
)  # tantivy: the benchmark's own, not the project's
TANTIVY = "tantivy==0.25.1"


def tantivy_module():
    """Return the tantivy module, installed into the benchmark's own folder on first use (or None)."""
    if not (BENCH_DEPS / "tantivy").is_dir():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--target", str(BENCH_DEPS), TANTIVY],
            capture_output=True,
        )
        if done.returncode:
            return None
    sys.path.insert(0, str(BENCH_DEPS))
    try:
        import tantivy
    except ImportError:
        return None
    finally:
        sys.path.remove(str(BENCH_DEPS))
    return tantivy


def anchors(docs: list[dict], queries: list[str], rounds: int) -> dict[str, float]:
    """Given documents and queries, return p50 ms (top 10 with snippets) of SQLite FTS5 and tantivy
    over the same jieba words: the anchors an OR query over pre-cut words costs elsewhere."""
    import sqlite3

    import jieba

    def words(text: str) -> str:
        return " ".join(w for w in jieba.lcut(text) if w.strip() and any(c.isalnum() for c in w))

    texts = [(d["id"], words("\n".join((d["title"], d["phrasings"], d["answer"])))) for d in docs]
    out: dict[str, float] = {}
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, body, tokenize='unicode61')")
    db.executemany("INSERT INTO t VALUES (?, ?)", texts)

    def fts(q: str) -> list:
        terms = " OR ".join('"' + w.replace('"', '""') + '"' for w in words(q).split())
        if not terms:
            return []
        sql = "SELECT id, snippet(t, 1, '<mark>', '</mark>', '…', 16) FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10"
        return db.execute(sql, (terms,)).fetchall()

    out["fts5"] = statistics.median(
        timed(lambda q=q: fts(q)) for _ in range(rounds) for q in queries
    )
    tv = tantivy_module()
    if tv is not None:
        sb = tv.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("body", stored=True, tokenizer_name="whitespace")
        schema = sb.build()
        index = tv.Index(schema)
        writer = index.writer()
        for doc_id, body in texts:
            writer.add_document(tv.Document(id=doc_id, body=body))
        writer.commit()
        index.reload()
        searcher = index.searcher()

        def tantivy_search(q: str) -> list:
            terms = [
                (tv.Occur.Should, tv.Query.term_query(schema, "body", w)) for w in words(q).split()
            ]
            if not terms:
                return []
            query = tv.Query.boolean_query(terms)
            snippets = tv.SnippetGenerator.create(searcher, query, schema, "body")
            return [
                snippets.snippet_from_doc(searcher.doc(address)).to_html()
                for _, address in searcher.search(query, 10).hits
            ]

        out["tantivy"] = statistics.median(
            timed(lambda q=q: tantivy_search(q)) for _ in range(rounds) for q in queries
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "queries", nargs="?", type=Path, default=ROOT / "tests" / "eval" / "queries.tsv"
    )
    ap.add_argument("--rounds", type=int, default=5, help="times each query is run (default 5)")
    ap.add_argument(
        "--sizes", default="1000,10000", help="synthetic corpus sizes (default 1000,10000)"
    )
    ap.add_argument(
        "--against",
        default=f"{BEFORE_ISSUE_9},{BEFORE_ISSUE_14}",
        help="old commits to compare, comma-separated ('' skips)",
    )
    args = ap.parse_args()
    os.environ.pop("KB_INDEX_DIR", None)
    settings = load_settings(ROOT)
    real_queries = [q.query for q in load_queries(args.queries)]

    ours = 0.0
    for ref in filter(None, args.against.split(",")):
        ours = against_old(ref, real_queries, args.rounds, settings)
        for size in [int(s) for s in args.sizes.split(",") if s]:
            _, queries = synthetic_sections(size)
            against_old(ref, queries, max(1, args.rounds // 2), settings, synthetic=size)
    found = anchors(documents(settings), real_queries, args.rounds)
    print(
        "anchors, real corpus, same jieba words, top 10 with snippets: "
        + ", ".join(f"{name} p50 {ms:.2f} ms" for name, ms in found.items())
        + ("" if "tantivy" in found else " (tantivy could not be installed)")
        + (
            f"; this search / tantivy {ours / found['tantivy']:.1f}"
            if ours and "tantivy" in found
            else ""
        )
    )
    print("times in ms (build in s); ratio = p50 ours / p50 baseline")
    print(
        f"{'corpus':<22} {'docs':>6} {'build':>8} {'b.build':>8} {'p50':>8} {'p99':>8} "
        f"{'b.p50':>8} {'b.p99':>8} {'ratio':>7}"
    )
    measure("real (docs/)", lambda: documents(settings), real_queries, args.rounds, settings)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    for size in sizes:
        sections, queries = synthetic_sections(size)
        make = lambda sections=sections: [section_document(s, settings.data_dir) for s in sections]  # noqa: E731
        measure(f"synthetic {size}", make, queries, max(1, args.rounds // 2), settings)
    size = max(sizes, default=1000)
    sections, queries = worst_sections(size)
    make = lambda: [section_document(s, settings.data_dir) for s in sections]  # noqa: E731
    measure(f"worst case {size}", make, queries, max(1, args.rounds // 2), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
