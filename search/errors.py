"""Named exceptions of the help center library; adapters map them to exit codes and HTTP statuses."""

from __future__ import annotations

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


class BadQuery(KbError):
    """The search request is invalid (blank, too long, bad limit, control characters…)."""

    exit_code = 2
    http_status = 400


class UnknownCategory(BadQuery):
    """The requested category is not one the help center has."""


class PublishBusy(KbError):
    """Another `kb publish` is running."""

    exit_code = 75
    http_status = 503
    hint = "另一个 kb publish 正在运行；等它结束后再试"
