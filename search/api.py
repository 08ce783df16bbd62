"""The HTTP service: the JSON search API and the built site, one stateless ASGI app over the library."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import re
import time
import unicodedata
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.schemas import SchemaGenerator

from search import admin
from search.analytics import REASONS, Recorder
from search.catalogue import load_catalogue
from search.compression import Compression
from search.contracts import Health, json_schema
from search.engine import (
    Engine,
    answer,
    index_info,
    known_ids,
    memoised,
    memoised_suggest,
    suggest,
    warm,
)
from search.errors import BadQuery, BodyTooLarge, KbError, RecorderFull, SearchBusy
from search.limiter import RateLimiter
from search.memo import memo
from search.middleware import EXCEPTION_HANDLERS, Guard, error_response, require_own_json
from search.protocol import Connection, Limits
from search.query import MAX_LIMIT
from search.renderer import mkdocs_config
from search.settings import Settings, load_settings
from search.static import ReleaseFiles

T = TypeVar("T")

LONG_QUERY = 80  # characters (after NFKC): longer ones are pasted messages, and take the slow lane
LONG_WAIT = 3.0  # seconds a long query may wait for the slow lane before a 503

MAX_BODY = 4096
BODY_SECONDS = 10.0  # a body still arriving after this long is refused
_DIGITS = re.compile(r"[0-9]{1,6}")
_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_VIEW = re.compile(r"[0-9a-f]{8,32}")  # a page view's random id: nothing a shopper typed
NO_STORE = {"Cache-Control": "no-store"}

schemas = SchemaGenerator(
    {
        "openapi": "3.0.0",
        "info": {"title": "亚马逊海外购帮助中心 API", "version": "1.0"},
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "hint": {"type": "string"}},
                },
                "Health": json_schema(Health),
            }
        },
    }
)


@memo(1024, 512)  # repeats only: a typical question is ~270 bytes encoded
def _parsed(raw: bytes) -> QueryParams:
    """Given a raw query string, return its parameters (immutable: parsed once per distinct string)."""
    return QueryParams(raw)


def _params(request: Request) -> QueryParams:
    """Given a request, return its query parameters; a question asked again is not parsed again."""
    return _parsed(request.scope.get("query_string", b""))


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """Given a request, return its integer parameter `name`: plain ASCII digits, within [low, high]."""
    raw = _params(request).get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.fullmatch(raw):  # int() would take "٣", "1_0", "+5" and " 5 "
        raise BadQuery(f"{name} 必须是整数，收到 “{raw[:20]}”", f"用 {low} 到 {high} 之间的整数")
    value = int(raw)
    if not low <= value <= high:
        raise BadQuery(f"{name} 超出范围：{value}", f"用 {low} 到 {high} 之间的整数")
    return value


def _view(value: object) -> str | None:
    """Given a page-view id from a request, return it, or raise BadQuery when it is not one."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _VIEW.fullmatch(value):
        raise BadQuery("view 必须是 8 到 32 位的十六进制字符", "每次打开页面时随机生成一个")
    return value


def _q(request: Request) -> str:
    q = _params(request).get("q")
    if q is None:
        raise BadQuery("缺少参数 q", "在网址里加上 ?q=你的问题")
    return q


async def search_endpoint(request: Request) -> Response:
    """
    summary: 搜索帮助中心的 FAQ 答案
    parameters:
      - {name: q, in: query, required: true, schema: {type: string, maxLength: 1000}, description: 用户的问题}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50, default: 10}}
      - {name: category, in: query, schema: {type: string}, description: 只看某个分类，例如 退货}
      - {name: record, in: query, schema: {type: integer, enum: [0, 1], default: 1}, description: 0 表示输入途中的搜索，不计入报告}
      - {name: view, in: query, schema: {type: string, pattern: "^[0-9a-f]{8,32}$"}, description: 页面浏览的随机 id，把搜索和点击连在一起}
    responses:
      200:
        description: 按相关度排序的答案
        content:
          application/json:
            schema:
              type: object
              properties:
                query: {type: string}
                total: {type: integer}
                took_ms: {type: number}
                results:
                  type: array
                  items:
                    type: object
                    properties:
                      id: {type: string}
                      title: {type: string}
                      url: {type: string}
                      category: {type: string}
                      snippet: {type: string, description: HTML 转义后的摘要，匹配词用 mark 标出}
                      score: {type: number}
                      answer: {type: string, description: 纯文本答案}
                related:
                  type: array
                  description: 没有足够把握的答案、但问题属于帮助中心范围时，最接近的 3 个问题（此时 results 为空）
                  items:
                    type: object
                    properties: {id: {type: string}, title: {type: string}, url: {type: string}, category: {type: string}}
                questions:
                  type: array
                  description: 一条消息问了几个问题时才有：每个问题和它的答案 id（最好的在前）
                  items:
                    type: object
                    properties: {text: {type: string}, ids: {type: array, items: {type: string}}}
      400: {description: 参数错误, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      429: {description: 太频繁（每个客户端每分钟约 120 次）}
      503: {description: 长问题太多，搜索服务正忙（稍后再试）}
    """
    settings: Settings = request.app.state.settings
    q = _q(request)
    limit = _int_param(request, "limit", 10, 1, MAX_LIMIT)
    category = _params(request).get("category") or None
    record = _int_param(request, "record", 1, 0, 1)
    view = _view(_params(request).get("view"))
    request.app.state.search_limiter.check(_client(request))
    recorder: Recorder | None = request.app.state.recorder if record else None
    started = time.perf_counter()
    # A question asked before is answered here, on the event loop.
    found = memoised(settings, q, limit=limit, category=category)
    if found is not None:
        took_ms = (time.perf_counter() - started) * 1000
    elif len(unicodedata.normalize("NFKC", q)) > LONG_QUERY:
        engine: Engine = request.app.state.long_engine
        found, took_ms = await _slow_lane(request, engine.answer, q, limit=limit, category=category)
    else:  # any other question goes to a search thread
        found, took_ms = await _off_loop(
            request, answer, settings, q, limit=limit, category=category
        )
    if recorder:
        recorder.search(q, found.total, found.top, took_ms, view)
    # The part of an answer every asking shares is JSON encoded once.
    return Response(found.json(q, took_ms), media_type="application/json", headers=NO_STORE)


async def suggest_endpoint(request: Request) -> Response:
    """
    summary: 输入时的问题补全（支持前缀和拼音首字母，如 thyf）
    parameters:
      - {name: q, in: query, required: true, schema: {type: string, maxLength: 1000}}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 20, default: 8}}
    responses:
      200: {description: 补全的问题列表}
      400: {description: 参数错误, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    """
    settings: Settings = request.app.state.settings
    limit = _int_param(request, "limit", 8, 1, 20)
    q = _q(request)
    # Shoppers type the same first characters: those are answered here, the rest in a search thread.
    result = memoised_suggest(settings, q, limit=limit) or await _off_loop(
        request, suggest, settings, q, limit=limit
    )
    return JSONResponse(result)


async def _off_loop(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a library call in the worker's search threads, so a slow query never stalls the event loop."""
    # A plain executor: a hop costs about 20 µs of CPU, anyio.to_thread.run_sync about 50.
    call = functools.partial(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(request.app.state.search_pool, call)


async def _slow_lane(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a long query in the worker's slow lane: one at a time, on an engine of its own.

    A long message costs far more than a question; on its own engine (and lock) it never holds
    up the short questions, which keep their threads. Waiting longer than LONG_WAIT is a 503.
    """
    lane: anyio.CapacityLimiter = request.app.state.long_lane
    try:
        with anyio.fail_after(LONG_WAIT):
            await lane.acquire()
    except TimeoutError:
        raise SearchBusy("长问题太多，搜索服务正忙") from None
    try:
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(request.app.state.long_pool, call)
    finally:
        lane.release()


def _client(request: Request) -> str:
    """Given a request, return the key its client is rate-limited by (its address)."""
    return (request.client or ("-",))[0]


async def _json_body(request: Request) -> dict[str, Any]:
    """Given a POST, return its JSON object; read at most MAX_BODY bytes, however the body is sent."""
    require_own_json(request)
    too_large = BodyTooLarge(f"请求体太大（上限 {MAX_BODY} 字节）", "只发送接口说明里列出的字段")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise too_large
    body = bytearray()
    try:
        async with asyncio.timeout(BODY_SECONDS):
            # Chunked bodies have no Content-Length: count what arrives and stop at the limit.
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    raise too_large
    except TimeoutError:
        raise BadQuery("请求体发送得太慢", "检查网络后重新发送") from None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        # RecursionError: a few thousand nested brackets fit in the limit.
        raise BadQuery(
            "请求体不是合法的 JSON",
            '发送 UTF-8 编码的 JSON，例如 {"id": "cancel-fee", "helpful": true}',
        ) from None
    if not isinstance(data, dict):
        raise BadQuery("请求体必须是 JSON 对象", '例如 {"id": "cancel-fee", "helpful": true}')
    return data


def _only(data: dict[str, Any], allowed: set[str]) -> None:
    """Given a JSON object, raise BadQuery when it carries fields the endpoint does not take."""
    unknown = set(data) - allowed
    if unknown:
        # Free text could carry names or addresses: events keep none, so they take none.
        raise BadQuery(
            f"不接受的字段：{'、'.join(sorted(unknown))[:200]}",
            f"只发送 {'、'.join(sorted(allowed))}",
        )


def _answer_id(request: Request, data: dict[str, Any], kinds: tuple[str, ...]) -> str:
    """Given an event, return its answer id when the index served has one of that kind, else BadQuery."""
    fid = data.get("id")
    # Only ids the help center has: a free id field could carry anything (a phone number, a name).
    if not isinstance(fid, str) or known_ids(request.app.state.settings).get(fid) not in kinds:
        raise BadQuery(
            "id 必须是帮助中心里的答案 id，例如 cancel-fee", "用搜索结果或页面锚点里的 id"
        )
    return fid


async def feedback_endpoint(request: Request) -> Response:
    """
    summary: 记录“这篇有帮助吗？”的反馈（只有答案 id、是否有帮助和固定的原因，不保存个人信息；按客户端限流）
    requestBody:
      content:
        application/json:
          schema:
            type: object
            required: [id, helpful]
            properties:
              id: {type: string, description: FAQ id}
              helpful: {type: boolean}
              reason: {type: string, enum: [信息不全, 看不懂, 和我的情况不符, 其他]}
              view: {type: string, description: 页面浏览的随机 id}
    responses:
      202: {description: 已记录}
      503: {description: 记录服务暂时繁忙（没有记录）}
      400: {description: 参数错误, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      413: {description: 请求体太大}
      403: {description: 其他网站发出的请求}
      415: {description: 不是 JSON}
      429: {description: 太频繁}
    """
    request.app.state.limiter.check(_client(request))
    data = await _json_body(request)
    fid = _answer_id(request, data, ("faq",))
    helpful = data.get("helpful")
    if not isinstance(helpful, bool):
        raise BadQuery("helpful 必须是 true 或 false", '有帮助发 "helpful": true，没帮助发 false')
    reason = data.get("reason")
    if reason is not None and (helpful or reason not in REASONS):
        raise BadQuery(
            "reason 只能在“没帮助”时填写，且必须是给定选项之一", f"可选：{'、'.join(REASONS)}"
        )
    _only(data, {"id", "helpful", "reason", "view"})
    view = _view(data.get("view"))
    recorder: Recorder | None = request.app.state.recorder
    if recorder and not recorder.feedback(fid, helpful, reason, view):
        raise RecorderFull("反馈暂时无法记录")
    return JSONResponse({"status": "recorded"}, status_code=202)


async def click_endpoint(request: Request) -> Response:
    """
    summary: 记录一次搜索结果点击（查询先脱敏再保存）
    requestBody:
      content:
        application/json:
          schema:
            type: object
            required: [query, id]
            properties:
              query: {type: string, maxLength: 1000}
              id: {type: string}
              rank: {type: integer, minimum: 1}
              view: {type: string, description: 页面浏览的随机 id（和搜索时的相同）}
    responses:
      202: {description: 已记录}
      503: {description: 记录服务暂时繁忙（没有记录）}
      400: {description: 参数错误, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      413: {description: 请求体太大}
      403: {description: 其他网站发出的请求}
      415: {description: 不是 JSON}
      429: {description: 太频繁}
    """
    request.app.state.click_limiter.check(_client(request))
    data = await _json_body(request)
    _only(data, {"query", "id", "rank", "view"})
    fid = _answer_id(request, data, ("faq", "intro"))
    query = data.get("query")
    if not isinstance(query, str) or not query.strip() or len(query) > 1000:
        raise BadQuery("query 必须是 1 到 1000 字的文字", "发送用户点击前搜索的原文")
    if _SURROGATE.search(query):
        # JSON can spell half an emoji (\ud800); no text store can keep it.
        raise BadQuery("query 里有不完整的字符（半个表情符号）", "删掉末尾不完整的表情后再发送")
    rank = data.get("rank")
    if rank is not None and (
        not isinstance(rank, int) or isinstance(rank, bool) or not 1 <= rank <= MAX_LIMIT
    ):
        raise BadQuery(f"rank 必须是 1 到 {MAX_LIMIT} 的整数", "第一条结果的 rank 是 1")
    recorder: Recorder | None = request.app.state.recorder
    if recorder and not recorder.click(query, fid, rank, _view(data.get("view"))):
        raise RecorderFull("点击暂时无法记录")
    return JSONResponse({"status": "recorded"}, status_code=202)


async def health_endpoint(request: Request) -> Response:
    """
    summary: 服务状态：索引版本和文档数
    responses:
      200: {description: 正常, content: {application/json: {schema: {$ref: "#/components/schemas/Health"}}}}
      503: {description: 还没有索引, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    """
    settings: Settings = request.app.state.settings
    info = Health(
        status="ok",
        **await _off_loop(request, index_info, settings),
        categories=request.app.state.categories,
    )
    return JSONResponse(info, headers=NO_STORE)


async def service_endpoint(request: Request) -> Response:
    """Tell the site's scripts that the API is here (the static build's copy of this file says it is not)."""
    return JSONResponse({"api": True}, headers=NO_STORE)


async def sitemap_endpoint(request: Request) -> Response:
    """Serve the sitemap with the address the shopper reached in place of mkdocs.yml's site_url.

    Material's instant navigation only takes over links it finds in the sitemap, so the sitemap
    must name the host and port the shopper actually reached (any port). Only hosts the help
    center is known by are reflected (this machine's, site_url's, KB_PUBLIC_HOSTS): any other
    Host header gets site_url's sitemap as built.
    """
    settings: Settings = request.app.state.settings
    try:
        xml = (settings.site_dir / "sitemap.xml").read_text(encoding="utf-8")
    except OSError:
        return Response("Not Found", status_code=404)
    site_url = request.app.state.site_url
    host = request.headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if site_url and _HOST.fullmatch(host) and name.lower() in request.app.state.public_hosts:
        xml = xml.replace(f"<loc>{site_url}", f"<loc>{request.base_url}")
    return Response(xml, media_type="application/xml", headers={"Cache-Control": "no-cache"})


async def openapi_endpoint(request: Request) -> Response:
    """Serve the OpenAPI document generated from the endpoints' docstrings."""
    return JSONResponse(schemas.get_schema(routes=request.app.routes))


_ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


async def api_fallback(request: Request) -> Response:
    """Answer an unknown API path with a JSON 404, a known one with the wrong method with a JSON 405."""
    for route in request.app.routes:
        if isinstance(route, Route) and route.path == request.url.path and route.methods:
            allowed = ", ".join(sorted(route.methods))
            response = error_response(
                405, f"{request.url.path} 不支持 {request.method}", f"可用的方法：{allowed}"
            )
            response.headers["Allow"] = allowed
            return response
    return error_response(404, "没有这个接口", "接口说明见 /api/openapi.json")


def site_url(settings: Settings) -> str:
    """Given settings, return mkdocs.yml's site_url with a trailing slash ('' when unset)."""
    try:
        url = mkdocs_config(settings.mkdocs_yml).get("site_url") or ""
    except KbError:
        return ""
    return url if not url or url.endswith("/") else f"{url}/"


def create_app(
    settings: Settings | None = None, *, analytics: bool | None = None, worker: bool = False
) -> Starlette:
    """Given settings (default: from the environment), return the ASGI app serving API and site.

    Analytics recording is on unless `analytics=False` or the settings turn it off (KB_ANALYTICS=0).
    A `worker` of `kb serve` also loads at start what Latin and pinyin questions need, and then
    freezes everything start-up loaded out of the garbage collector's full passes.
    """
    settings = settings or load_settings()
    if analytics is None:
        analytics = settings.analytics

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Load jieba, the index and the searcher now, not on a shopper's first search.
        with contextlib.suppress(KbError):
            warm(settings, english=worker)
            answer(settings, "退货运费", limit=1)
        if worker:
            # The dictionaries and tables loaded above (pypinyin's alone is 200,000 lists) live as
            # long as the worker; each full collection walked them all, 40–70 ms of a stalled
            # worker every few thousand questions: the tail of the latency.
            gc.freeze()
        if analytics:
            app.state.recorder = Recorder(
                settings.analytics_store, keep_days=settings.analytics_keep_days
            )
        yield
        if app.state.recorder:
            app.state.recorder.close()
        app.state.long_engine.close()
        # The search pools stay: an app may be started again (tests), and idle threads cost nothing.

    routes = [
        Route("/api/search", search_endpoint, methods=["GET"]),
        Route("/api/suggest", suggest_endpoint, methods=["GET"]),
        Route("/api/health", health_endpoint, methods=["GET"]),
        Route("/api/feedback", feedback_endpoint, methods=["POST"]),
        Route("/api/click", click_endpoint, methods=["POST"]),
        Route("/api/openapi.json", openapi_endpoint, methods=["GET"], include_in_schema=False),
        Route(
            "/assets/kb/service.json", service_endpoint, methods=["GET"], include_in_schema=False
        ),
        *admin.routes(),
        Route("/sitemap.xml", sitemap_endpoint, methods=["GET"], include_in_schema=False),
        # Any other /api/… (or a known one with the wrong method) is a JSON error, never a site page.
        Route(
            "/api/{rest:path}", api_fallback, methods=list(_ALL_METHODS), include_in_schema=False
        ),
        # site_dir is a symlink swapped atomically on publish: resolved once per request.
        Mount("/", ReleaseFiles(settings.site_dir), name="site"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.recorder = None  # started with the app (lifespan): a writer process per worker
    # Budgets shared by every worker of this server, kept beside its analytics.
    limits = settings.analytics_db.with_name(f"{settings.analytics_db.name}.limits")
    app.state.limiter = RateLimiter(10, 60.0, limits / "feedback.bin")
    app.state.click_limiter = RateLimiter(60, 60.0, limits / "click.bin")
    # Generous for a person typing (by default a burst of 120, then 2 a second); a flood of
    # costly queries is not.
    budget = settings.search_per_minute
    app.state.search_limiter = RateLimiter(budget, 60.0, limits / "search.bin")
    app.state.search_pool = ThreadPoolExecutor(settings.search_threads, "kb-search")
    app.state.login_client_limiter, app.state.login_account_limiter = admin.limiters(limits)
    app.state.long_lane = anyio.CapacityLimiter(1)
    app.state.long_pool = ThreadPoolExecutor(1, "kb-long")
    app.state.long_engine = Engine(settings)  # its own searcher and lock, following releases too
    app.state.site_url = site_url(settings)
    app.state.public_hosts = {
        "localhost",
        "127.0.0.1",
        "[::1]",
        (urlsplit(app.state.site_url).hostname or "").lower(),
        *(h.strip().lower() for h in settings.public_hosts.split(",") if h.strip()),
    }
    app.state.categories = [
        c for c in load_catalogue(settings.catalogue_file).categories if c != "帮助中心"
    ]
    app.add_middleware(Guard)
    app.add_middleware(Compression)  # outermost: errors and the access guard's answers too
    return app


def app_from_env() -> Starlette:
    """Uvicorn factory for `kb serve --workers N`: each worker process builds its own app."""
    settings = load_settings()  # KB_ROOT and the other knobs, as serve() handed them over
    Connection.configure(Limits(settings.max_head_bytes, settings.head_seconds))
    return create_app(settings, worker=True)
