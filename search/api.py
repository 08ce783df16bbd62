"""The HTTP service: the JSON search API and the built site, one stateless ASGI app over the library."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.schemas import SchemaGenerator
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import search as library
from search.analytics import REASONS, Recorder
from search.catalogue import load_catalogue
from search.contracts import Health, json_schema
from search.errors import BadQuery, KbError
from search.limiter import RateLimiter
from search.redaction import redact
from search.renderer import mkdocs_config
from search.settings import Settings, load_settings

access_log = logging.getLogger("kb.access")
error_log = logging.getLogger("kb.error")

MAX_LIMIT = 50
MAX_BODY = 4096
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")

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


def error_response(status: int, message: str, hint: str = "") -> JSONResponse:
    """Given a status and a Chinese message, return the API's JSON error."""
    return JSONResponse({"error": message, "hint": hint}, status_code=status)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise library.BadQuery(
            f"{name} 必须是整数，收到 “{raw[:20]}”", f"用 {low} 到 {high} 之间的整数"
        ) from None
    if not low <= value <= high:
        raise library.BadQuery(f"{name} 超出范围：{value}", f"用 {low} 到 {high} 之间的整数")
    return value


def _q(request: Request) -> str:
    q = request.query_params.get("q")
    if q is None:
        raise library.BadQuery("缺少参数 q", "在网址里加上 ?q=你的问题")
    return q


async def search_endpoint(request: Request) -> Response:
    """
    summary: 搜索帮助中心的 FAQ 答案
    parameters:
      - {name: q, in: query, required: true, schema: {type: string, maxLength: 1000}, description: 用户的问题}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50, default: 10}}
      - {name: category, in: query, schema: {type: string}, description: 只看某个分类，例如 退货}
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
    """
    settings: Settings = request.app.state.settings
    q = _q(request)
    limit = _int_param(request, "limit", 10, 1, MAX_LIMIT)
    category = request.query_params.get("category") or None
    result = library.search(settings, q, limit=limit, category=category)
    recorder: Recorder | None = request.app.state.recorder
    if recorder:
        top = result["results"][0]["id"] if result["results"] else None
        recorder.search(q, result["total"], top, result["took_ms"])
    return JSONResponse(result, headers={"Cache-Control": "no-store"})


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
    return JSONResponse(library.suggest(settings, _q(request), limit=limit))


async def _json_body(request: Request) -> dict[str, Any]:
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise BadQuery(f"请求体太大（上限 {MAX_BODY} 字节）", "只发送 id、helpful、reason 等字段")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadQuery(f"请求体太大（上限 {MAX_BODY} 字节）", "只发送 id、helpful、reason 等字段")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadQuery(
            "请求体不是合法的 JSON",
            '发送 UTF-8 编码的 JSON，例如 {"id": "cancel-fee", "helpful": true}',
        ) from None
    if not isinstance(data, dict):
        raise BadQuery("请求体必须是 JSON 对象", '例如 {"id": "cancel-fee", "helpful": true}')
    return data


def _answer_id(data: dict[str, Any]) -> str:
    fid = data.get("id")
    if not isinstance(fid, str) or not _ID.match(fid):
        raise BadQuery("id 必须是 FAQ 的 id，例如 cancel-fee", "用搜索结果或页面锚点里的 id")
    return fid


def _limited(request: Request) -> Response | None:
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.hit((request.client or ("-",))[0])
    if wait:
        response = error_response(429, "提交太频繁了", f"请 {wait:.0f} 秒后再试")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    return None


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
    responses:
      202: {description: 已记录}
      400: {description: 参数错误, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
      429: {description: 太频繁}
    """
    limited = _limited(request)
    if limited:
        return limited
    data = await _json_body(request)
    fid = _answer_id(data)
    helpful = data.get("helpful")
    if not isinstance(helpful, bool):
        raise BadQuery("helpful 必须是 true 或 false", '有帮助发 "helpful": true，没帮助发 false')
    reason = data.get("reason")
    if reason is not None and (helpful or reason not in REASONS):
        raise BadQuery(
            "reason 只能在“没帮助”时填写，且必须是给定选项之一", f"可选：{'、'.join(REASONS)}"
        )
    unknown = set(data) - {"id", "helpful", "reason"}
    if unknown:
        # Free text could carry names or addresses: feedback keeps none, so it takes none.
        raise BadQuery(
            f"不接受的字段：{'、'.join(sorted(unknown))}", "只发送 id、helpful 和可选的 reason"
        )
    if request.app.state.recorder:
        request.app.state.recorder.feedback(fid, helpful, reason)
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
    responses:
      202: {description: 已记录}
      400: {description: 参数错误, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    """
    data = await _json_body(request)
    fid = _answer_id(data)
    query = data.get("query")
    if not isinstance(query, str) or not query.strip() or len(query) > 1000:
        raise BadQuery("query 必须是 1 到 1000 字的文字", "发送用户点击前搜索的原文")
    rank = data.get("rank")
    if rank is not None and (
        not isinstance(rank, int) or isinstance(rank, bool) or not 1 <= rank <= MAX_LIMIT
    ):
        raise BadQuery(f"rank 必须是 1 到 {MAX_LIMIT} 的整数", "第一条结果的 rank 是 1")
    if request.app.state.recorder:
        request.app.state.recorder.click(query, fid, rank)
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
        status="ok", **library.index_info(settings), categories=request.app.state.categories
    )
    return JSONResponse(info, headers={"Cache-Control": "no-store"})


async def service_endpoint(request: Request) -> Response:
    """Tell the site's scripts that the API is here (the static build's copy of this file says it is not)."""
    return JSONResponse({"api": True}, headers={"Cache-Control": "no-store"})


async def sitemap_endpoint(request: Request) -> Response:
    """Serve the sitemap with this server's own address in place of mkdocs.yml's site_url.

    Material's instant navigation only takes over links it finds in the sitemap, so the sitemap
    must name the host and port the shopper actually reached (any port, behind any proxy).
    """
    settings: Settings = request.app.state.settings
    try:
        xml = (settings.site_dir / "sitemap.xml").read_text(encoding="utf-8")
    except OSError:
        return Response("Not Found", status_code=404)
    base = str(request.base_url)
    site_url = request.app.state.site_url
    if site_url:
        xml = xml.replace(f"<loc>{site_url}", f"<loc>{base}")
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


async def kb_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KbError)
    return error_response(exc.http_status, exc.message, exc.hint)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/"):
        messages = {404: "没有这个接口", 405: "不支持这个请求方法"}
        return error_response(
            exc.status_code,
            messages.get(exc.status_code, exc.detail),
            "接口说明见 /api/openapi.json",
        )
    return Response(exc.detail, status_code=exc.status_code, headers=exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    error_log.exception("unexpected error on %s", request.url.path)
    return error_response(500, "服务器内部错误", "请稍后再试；问题持续时请联系管理员")


class Guard:
    """Reject undecodable API query strings with a JSON 400, and write a redacted access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        query, problem = _decode_query(scope.get("query_string", b""))
        if not scope["path"].startswith("/api/"):
            problem = None  # the site's files ignore their query string
        try:
            if problem:
                await error_response(400, problem, "把参数按 UTF-8 做 URL 编码后再发送")(
                    scope, receive, send_wrapper
                )
                status = 400
            else:
                await self.app(scope, receive, send_wrapper)
        finally:
            query = redact(query)
            access_log.info(
                '%s "%s %s%s" %d %.1fms',
                (scope.get("client") or ("-",))[0],
                scope["method"],
                scope["path"],
                f"?{query}" if query else "",
                status,
                (time.perf_counter() - started) * 1000,
            )


def _decode_query(raw: bytes) -> tuple[str, str | None]:
    """Given a raw query string, return it decoded (for the log) and what is wrong with it, if anything."""
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    if _BAD_PERCENT.search(raw):
        return data.decode("utf-8", "replace"), "网址参数里有无效的百分号编码"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), "网址参数不是合法的 UTF-8（可能被截断了）"


def site_url(settings: Settings) -> str:
    """Given settings, return mkdocs.yml's site_url with a trailing slash ('' when unset)."""
    try:
        url = mkdocs_config(settings.mkdocs_yml).get("site_url") or ""
    except KbError:
        return ""
    return url if not url or url.endswith("/") else f"{url}/"


def create_app(settings: Settings | None = None, *, analytics: bool | None = None) -> Starlette:
    """Given settings (default: from the environment), return the ASGI app serving API and site.

    Analytics recording is on unless `analytics=False` or the settings turn it off (KB_ANALYTICS=0).
    """
    settings = settings or load_settings()
    if analytics is None:
        analytics = settings.analytics

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Load jieba, the index and the searcher now, not on a shopper's first search.
        with contextlib.suppress(KbError):
            library.warm(settings, english=True)
            library.search(settings, "退货运费", limit=1)
        yield
        if app.state.recorder:
            app.state.recorder.close()

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
        Route("/sitemap.xml", sitemap_endpoint, methods=["GET"], include_in_schema=False),
        # Any other /api/… (or a known one with the wrong method) is a JSON error, never a site page.
        Route(
            "/api/{rest:path}", api_fallback, methods=list(_ALL_METHODS), include_in_schema=False
        ),
        # site_dir is a symlink swapped atomically on publish; StaticFiles resolves it per request.
        Mount(
            "/", StaticFiles(directory=settings.site_dir, html=True, check_dir=False), name="site"
        ),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            KbError: kb_error,
            HTTPException: http_error,
            Exception: unexpected_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.recorder = Recorder(settings.analytics_db) if analytics else None
    app.state.limiter = RateLimiter()
    app.state.site_url = site_url(settings)
    app.state.categories = [
        c for c in load_catalogue(settings.catalogue_file).categories if c != "帮助中心"
    ]
    app.add_middleware(Guard)
    return app


def app_from_env() -> Starlette:
    """Uvicorn factory for `kb serve --workers N`: each worker process builds its own app."""
    return create_app(load_settings())  # KB_ROOT and the other knobs, as serve() handed them over
