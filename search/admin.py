"""The editors' dashboard at /admin/: sign-in, charts and tables of what shoppers searched, CSV export.

Shoppers' endpoints are untouched; everything here needs an editor's session cookie (HttpOnly,
SameSite=Strict, Secure behind TLS). Failed sign-ins are rate-limited per client and per account,
and every admin action is logged (never a password).
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .analytics import report
from .editors import SESSION_SECONDS, editor_of, sign_in, sign_out
from .errors import BadQuery, NotSignedIn
from .limiter import RateLimiter
from .middleware import error_response, require_same_site
from .settings import Settings

log = logging.getLogger("kb.admin")

COOKIE = "kb_admin"
PAGES = Path(__file__).parent / "dashboard"
CHART_JS = Path("node_modules") / "chart.js" / "dist" / "chart.umd.min.js"
TABLES = (
    "trend",
    "top_queries",
    "zero_result_queries",
    "unclicked_queries",
    "most_read",
    "feedback",
    "gaps",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_FORM = 2048
# The dashboard's pages load only their own files: no inline script, nothing from elsewhere.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _client(request: Request) -> str:
    return (request.client or ("-",))[0]


def _editor(request: Request) -> str | None:
    try:
        return editor_of(_settings(request).analytics_store, request.cookies.get(COOKIE))
    except Exception as e:  # the database is down: nobody is signed in, and nothing breaks
        log.warning("admin: sessions unavailable (%s)", type(e).__name__)
        return None


def _page(name: str, status: int = 200, **values: str) -> HTMLResponse:
    text = (PAGES / name).read_text("utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value))
    headers = {"Cache-Control": "no-store", "Content-Security-Policy": POLICY}
    return HTMLResponse(text, status_code=status, headers=headers)


async def home(request: Request) -> Response:
    """The dashboard for a signed-in editor; the sign-in page for anyone else."""
    editor = await asyncio.to_thread(_editor, request)
    if editor is None:
        return _page("login.html", message="")
    return _page("index.html", editor=editor)


async def _form(request: Request) -> dict[str, str]:
    """Given a form POST, return its fields (a small urlencoded body, from this site's own page)."""
    require_same_site(request)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise BadQuery("表单太大", "只填写用户名和密码")
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=5)
    return {k: v[0] for k, v in fields.items()}


async def login(request: Request) -> Response:
    """Check an editor's name and password; on success set the session cookie and open the dashboard."""
    form = await _form(request)
    name, password = form.get("name", "")[:64], form.get("password", "")[:256]
    state = request.app.state
    state.login_client_limiter.check(_client(request))
    state.login_account_limiter.check(name or "-")
    token = await asyncio.to_thread(sign_in, _settings(request).analytics_store, name, password)
    if token is None:
        log.warning("admin: sign-in refused for %r from %s", name, _client(request))
        return _page("login.html", 401, message="用户名或密码不对")
    log.info("admin: %s signed in from %s", name, _client(request))
    response = RedirectResponse("/admin/", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_SECONDS,
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def logout(request: Request) -> Response:
    """End the session and go back to the sign-in page."""
    require_same_site(request)
    editor = await asyncio.to_thread(_editor, request)
    await asyncio.to_thread(
        sign_out, _settings(request).analytics_store, request.cookies.get(COOKIE)
    )
    log.info("admin: %s signed out", editor or "-")
    response = RedirectResponse("/admin/", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


def _window(request: Request) -> dict[str, Any]:
    """Given a request, return report() arguments for its from/to dates (default: the last 30 days)."""
    start, end = request.query_params.get("from") or None, request.query_params.get("to") or None
    for value in (start, end):
        if value is not None and not _DATE.fullmatch(value):
            raise BadQuery(f"日期格式不对：“{value[:20]}”", "用 YYYY-MM-DD，例如 2026-11-01")
    if start and end and start > end:
        raise BadQuery("开始日期晚于结束日期", "把两个日期对调")
    return {"start": start, "end": end}


def data_for(settings: Settings, window: dict[str, Any]) -> dict[str, Any]:
    """Given settings and a window, return the report with its content-gap suggestions."""
    try:
        data = report(settings.analytics_store, top=50, **window)
    except ValueError:
        raise BadQuery("日期不存在", "用 YYYY-MM-DD，例如 2026-11-01") from None
    from .gaps import gaps

    data["gaps"] = gaps(settings, data)
    return data


async def _signed_in(request: Request) -> str:
    editor = await asyncio.to_thread(_editor, request)
    if editor is None:
        raise NotSignedIn("请先登录", "打开 /admin/ 登录")
    return editor


async def data(request: Request) -> Response:
    """The dashboard's data for a date range, as JSON."""
    editor = await _signed_in(request)
    window = _window(request)
    result = await asyncio.to_thread(data_for, _settings(request), window)
    log.info("admin: %s viewed the report %s..%s", editor, result["start"], result["end"])
    return JSONResponse(result, headers={"Cache-Control": "no-store"})


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Given table rows, return them as CSV (nested values as JSON-ish text); a BOM so Excel reads UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return "；".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a query typed as a formula stays text in a spreadsheet
    return value


async def export(request: Request) -> Response:
    """One table of the dashboard as a CSV download."""
    editor = await _signed_in(request)
    table = request.path_params["table"]
    if table not in TABLES:
        return error_response(404, "没有这个表", f"可选：{'、'.join(TABLES)}")
    window = _window(request)
    result = await asyncio.to_thread(data_for, _settings(request), window)
    log.info("admin: %s exported %s.csv %s..%s", editor, table, result["start"], result["end"])
    name = f"{table}-{result['start']}-{result['end']}.csv"
    return Response(
        to_csv(result[table]),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


async def asset(request: Request) -> Response:
    """The dashboard's own script and style, and Chart.js as installed from npm (no CDN)."""
    name = request.path_params["name"]
    if name == "chart.umd.min.js":
        # The help center's checkout, else the one this package is installed from (-e).
        roots = (_settings(request).root, Path(__file__).resolve().parent.parent)
        path = next((r / CHART_JS for r in roots if (r / CHART_JS).is_file()), roots[0] / CHART_JS)
    elif name in ("admin.js", "admin.css"):
        path = PAGES / name
    else:
        return error_response(404, "没有这个文件", "")
    if not path.is_file():
        return error_response(
            404, "没有这个文件", "运行 npm ci 安装 Chart.js（scripts/start.sh 会做）"
        )
    return FileResponse(path, headers={"Cache-Control": "no-cache"})


def routes() -> list[Route]:
    """Return the /admin/ routes."""
    return [
        Route("/admin/", home, methods=["GET"], include_in_schema=False),
        Route("/admin", lambda r: RedirectResponse("/admin/", 308), include_in_schema=False),
        Route("/admin/login", login, methods=["POST"], include_in_schema=False),
        Route("/admin/logout", logout, methods=["POST"], include_in_schema=False),
        Route("/admin/api/report", data, methods=["GET"], include_in_schema=False),
        Route("/admin/export/{table}.csv", export, methods=["GET"], include_in_schema=False),
        Route("/admin/assets/{name}", asset, methods=["GET"], include_in_schema=False),
    ]


def limiters(folder: Path) -> tuple[RateLimiter, RateLimiter]:
    """Given the limits folder, return the sign-in limiters: per client, per account."""
    return (
        RateLimiter(10, 300.0, folder / "login-client.bin"),
        RateLimiter(10, 900.0, folder / "login-account.bin"),
    )
