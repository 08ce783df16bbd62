"""What every HTTP request passes through: the access guard, query decoding, the access log, error responses."""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import unquote_to_bytes, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import CrossSite, KbError, NotJson, RateLimited
from .memo import memo
from .redaction import redact

access_log = logging.getLogger("kb.access")
error_log = logging.getLogger("kb.error")

_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Given text bound for a log, return it with every control character spelled out (\\x0a)."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


class SafeFormatter(logging.Formatter):
    """A log formatter whose lines cannot be forged: control characters in messages are escaped."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)


def error_response(status: int, message: str, hint: str = "") -> JSONResponse:
    """Given a status and a Chinese message, return the API's JSON error."""
    return JSONResponse({"error": message, "hint": hint}, status_code=status)


async def kb_error(request: Request, exc: Exception) -> Response:
    """Given a named library error, return its JSON error with the error's own status."""
    assert isinstance(exc, KbError)
    response = error_response(exc.http_status, exc.message, exc.hint)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(int(exc.retry_after) + 1)
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    """Given Starlette's HTTP error, return a JSON error under /api/ and plain text elsewhere."""
    assert isinstance(exc, HTTPException)
    if is_api(request.url.path):
        messages = {404: "没有这个接口", 405: "不支持这个请求方法"}
        return error_response(
            exc.status_code,
            messages.get(exc.status_code, exc.detail),
            "接口说明见 /api/openapi.json",
        )
    return Response(exc.detail, status_code=exc.status_code, headers=exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """Given an error nobody named, log it and return a JSON 500 without details."""
    error_log.exception("unexpected error on %s", request.url.path)
    return error_response(500, "服务器内部错误", "请稍后再试；问题持续时请联系管理员")


def require_own_json(request: Request) -> None:
    """Given a write request, raise unless it is JSON sent by one of the site's own pages.

    A page elsewhere can make a visitor's browser POST a `text/plain` "simple" request without
    asking; a JSON content type, and the browser's Origin and Sec-Fetch-Site, rule that out.
    """
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise NotJson("请求体必须是 JSON（Content-Type: application/json）", "按接口说明发送 JSON")
    require_same_site(request)


def require_same_site(request: Request) -> None:
    """Given a write request, raise CrossSite unless one of the site's own pages sent it."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:  # the browser's own verdict: it knows the page's origin
        if fetch_site not in ("same-origin", "none"):
            raise CrossSite(f"不接受来自其他网站的请求（{fetch_site[:20]}）")
        return
    # Older browsers: compare Origin with the Host asked for (a proxy must pass Host on).
    origin = request.headers.get("origin")
    host = request.headers.get("host", "").lower()
    if origin is not None and urlsplit(origin).netloc.lower() != host:
        raise CrossSite(f"不接受来自其他网站的请求（{origin[:80]}）")


EXCEPTION_HANDLERS = {KbError: kb_error, HTTPException: http_error, Exception: unexpected_error}


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

        api = is_api(scope["path"])

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = secured(message.get("headers", []), api)
            await send(message)

        query, problem = decode_query(scope.get("query_string", b""))
        if not api:
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
            # Paths carry personal data too (/13812345678), and decoded newlines could forge
            # lines: both are redacted, and every control character is escaped.
            query = _redacted(query)
            access_log.info(
                '%s "%s %s%s" %d %.1fms',
                escape_controls(str((scope.get("client") or ("-",))[0])),
                escape_controls(scope["method"]),
                escape_controls(redact(scope["path"]).replace('"', "%22")),
                escape_controls(f"?{query}".replace('"', "%22")) if query else "",
                status,
                (time.perf_counter() - started) * 1000,
            )


# The access log's view of a question asked again costs a look-up, not the redaction's regexes.
_redacted = memo(1024, 128)(redact)

# Every response: no MIME sniffing, no referrer to other sites (a page's URL may hold a query),
# no framing; responses that set no policy of their own (JSON, errors) may load nothing.
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)
_NOTHING = b"default-src 'none'; frame-ancestors 'none'"


def secured(headers: list[tuple[bytes, bytes]], api: bool) -> list[tuple[bytes, bytes]]:
    """Given a response's headers, return them with the security headers (and no-store under /api/)."""
    names = {name.lower() for name, _ in headers}
    out = [h for h in headers if not (api and h[0].lower() == b"cache-control")]
    out += [h for h in _ALWAYS if h[0] not in names]
    if b"content-security-policy" not in names:
        out.append((b"content-security-policy", _NOTHING))
    if api:
        out.append((b"cache-control", b"no-store"))  # answers and errors alike
    return out


def is_api(path: str) -> bool:
    """Given a request path, return True when it is the API's (however slashes and case are spelled)."""
    return re.sub("/+", "/", path).lower().startswith("/api/")


@memo(1024, 512)  # repeats only: a typical question is ~270 bytes encoded
def decode_query(raw: bytes) -> tuple[str, str | None]:
    """Given a raw query string, return it decoded (for the log) and what is wrong with it, if anything."""
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    if _BAD_PERCENT.search(raw):
        return data.decode("utf-8", "replace"), "网址参数里有无效的百分号编码"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), "网址参数不是合法的 UTF-8（可能被截断了）"
