"""Named exceptions of the help center library; adapters map them to exit codes and HTTP statuses."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass


class KbError(Exception):
    """Base of every error the library raises on purpose; `hint` says how to fix it."""

    hint: str = ""
    http_status: int = 400
    exit_code: int = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Problem:
    """One content problem found by `kb check`, located at file:line."""

    path: str
    line: int
    message: str
    hint: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}（修改方法：{self.hint}）"


class ContentError(KbError):
    """The Markdown in docs/ has errors; `problems` lists each with file:line."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(
            f"{len(errors)} 处内容错误", "按每一行给出的 file:line 修改后重新运行 kb check"
        )
        self.problems = problems


class DataFileError(KbError):
    """An editor data file (search/data/*, docs/tools/*) breaks its format, at file:line."""

    exit_code = 2
    http_status = 503  # the service's own data is broken: not the shopper's request

    def __init__(self, path: object, line: int, what: str, hint: str) -> None:
        super().__init__(f"{path}:{line}：{what}", hint)
        self.path, self.line, self.what = str(path), line, what

    def problem(self, where: str | None = None) -> Problem:
        """Return this error as a `kb check` problem, its file named as `where` (default: its path)."""
        return Problem(where or self.path, self.line, self.what, self.hint)


class BuildError(KbError):
    """The static site build failed; the live site is untouched."""

    exit_code = 3


class IndexBusy(KbError):
    """Another index update or publish holds the lock."""

    exit_code = 75  # EX_TEMPFAIL
    http_status = 503
    hint = "另一个 kb index / kb publish 正在运行；等它结束后再试"


class IndexMissing(KbError):
    """No search index exists yet at the configured directory."""

    exit_code = 4
    http_status = 503
    hint = "先运行 kb index（或 kb publish）生成索引"


class IndexCorrupt(KbError):
    """The search index cannot be read (a damaged segment or table of contents)."""

    exit_code = 5
    http_status = 503
    hint = "运行 kb index --full 重建索引；站点页面不受影响"


@contextlib.contextmanager
def index_errors(where: object) -> Iterator[None]:
    """Turn any error raised inside Whoosh while the block reads or writes `where` into IndexCorrupt."""
    try:
        yield
    except KbError:
        raise
    except Exception as e:
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_globals.get("__name__", "").startswith("whoosh"):
                raise IndexCorrupt(f"搜索索引损坏，读不了：{where}（{type(e).__name__}）") from e
            tb = tb.tb_next
        raise


class BadQuery(KbError):
    """The search request is invalid (blank, too long, bad limit, control characters…)."""

    exit_code = 2
    http_status = 400


class BodyTooLarge(BadQuery):
    """A request body is over the API's size limit (reading stopped at the limit)."""

    http_status = 413


class NotJson(BadQuery):
    """A POST that does not declare a JSON body (a cross-site form or text/plain request)."""

    http_status = 415


class CrossSite(KbError):
    """A write request that another site's page made the browser send."""

    http_status = 403
    hint = "只接受帮助中心自己页面发出的请求"


class UnknownCategory(BadQuery):
    """The requested category is not one the help center has."""


class RateLimited(KbError):
    """A client sent more requests than its budget allows; `retry_after` says when it may again."""

    http_status = 429
    exit_code = 75

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, f"请 {retry_after:.0f} 秒后再试")
        self.retry_after = retry_after


class SearchBusy(KbError):
    """Too many long questions at once: this one waited for its turn too long."""

    http_status = 503
    hint = "请稍后再试，或把问题缩短"


class RecorderFull(KbError):
    """The analytics queue is full: the event was not taken (and is not acknowledged)."""

    http_status = 503
    hint = "记录服务暂时繁忙，请稍后再试"


class PublishBusy(KbError):
    """Another `kb publish` is running."""

    exit_code = 75
    http_status = 503
    hint = "另一个 kb publish 正在运行；等它结束后再试"


class EditorError(KbError):
    """An editor account cannot be added or changed as asked (bad name, short password, unknown editor)."""

    exit_code = 2


class NotSignedIn(KbError):
    """An editors' dashboard request without a valid session."""

    http_status = 401
