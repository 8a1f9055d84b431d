"""The centre's configuration over HTTP: versions, validate, diff, publish, roll back, and
which of the sounds it plays a site's Asterisk lacks (``POST /config/check-sounds``).

Admins publish and roll back; ops may read, validate and diff (and dry-run) without changing
anything. A document that fails a check is a 422 whose ``detail`` lists every problem by path,
as a code with params and a ``message`` in the request's language (``Accept-Language``);
publishing from a base version older than the one in force is a 409 (two admins at once).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.api.language import RequestLang
from hotline.api.paging import (
    DEFAULT_LIMIT,
    CursorParam,
    Key,
    LimitParam,
    Sort,
    capped_total,
    choose_sort,
    next_link,
    page_query,
    sort_param,
)
from hotline.auth.principal import Principal, require
from hotline.centre import dryrun, store
from hotline.centre.document import CentreConfig
from hotline.centre.files import parse_data, read_text
from hotline.centre.live import wake_follower
from hotline.centre.problems import ConfigInvalid, Problem, ProblemCode
from hotline.db.models import ConfigVersion, Site
from hotline.deps import AppState, AppStateDep, SessionDep, release_connection
from hotline.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ServiceUnavailableError,
)
from hotline.roles import Role
from hotline.schemas.page import Page
from hotline.web.i18n import Lang, translate_with

router = APIRouter(prefix="/config", tags=["config"])

config_publishers = require(Role.ADMIN)
config_checkers = require(Role.ADMIN, Role.OPS)
Publisher = Annotated[Principal, Depends(config_publishers)]
Checker = Annotated[Principal, Depends(config_checkers)]


class ConfigSubmission(BaseModel):
    """A document, either as the YAML text of a file (``source``) or as data (``document``)."""

    source: str | None = Field(default=None, max_length=200_000, description="YAML text")
    document: dict[str, Any] | None = Field(default=None, description="the document as data")
    name: str = Field(default="document", max_length=120, description="file name for messages")

    @model_validator(mode="after")
    def _one_of(self) -> ConfigSubmission:
        if (self.source is None) == (self.document is None):
            raise ValueError("give exactly one of source (YAML text) or document (data)")
        return self


class PublishRequest(ConfigSubmission):
    reason: str = Field(min_length=1, max_length=500, description="why: kept with the version")
    base_version: int | None = Field(
        description="the version the edit started from (null: none was in force)"
    )
    at: datetime | None = Field(default=None, description="take force then (null: now)")


class RollbackRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class VersionRead(BaseModel):
    version: int
    base_version: int | None
    published_by: str
    published_at: datetime
    effective_at: datetime
    reason: str
    rollback_of: int | None


class VersionDetail(VersionRead):
    in_force: bool
    document: dict[str, Any]
    source: str


class ConfigOverview(BaseModel):
    in_force: VersionRead | None
    scheduled: list[VersionRead] = Field(description="versions published to take force later")


class Validation(BaseModel):
    valid: bool = True
    lines: list[str]
    languages: list[str]


class ChangeRead(BaseModel):
    path: str
    old: Any
    new: Any


class DiffRead(BaseModel):
    in_force: int | None
    changes: list[ChangeRead]
    diff: str = Field(description="unified diff of the two documents")


VersionPage = Page[VersionRead]
VERSION_SORTS = (
    Sort("-id", (Key(ConfigVersion.id.expression, True),)),
    Sort("id", (Key(ConfigVersion.id.expression),)),
)


def _read(row: ConfigVersion) -> VersionRead:
    return VersionRead(
        version=row.id,
        base_version=row.base_version,
        published_by=row.published_by,
        published_at=row.published_at,
        effective_at=row.effective_at,
        reason=row.reason,
        rollback_of=row.rollback_of,
    )


def _invalid(exc: ConfigInvalid, lang: Lang) -> InvalidInputError:
    """422 with one entry per problem: ``loc`` the path inside the document, ``msg`` the whole
    line in English as it always was (file, path, text: what older clients and logs read), and
    the problem as data: ``path``, ``code``, ``params`` and its ``message`` in ``lang``."""
    return InvalidInputError(
        [
            {
                "loc": ["body", *(problem.path.split(".") if problem.path else [])],
                "msg": problem.line("en", exc.source),
                "type": "config",
                "path": problem.path,
                "code": str(problem.code),
                "params": dict(problem.params),
                "message": problem.message(lang),
            }
            for problem in exc.items
        ],
        headers={"Content-Language": lang, "Vary": "Accept-Language"},
    )


def _stale(exc: store.StaleBaseError, lang: Lang) -> ConflictError:
    """409 when another admin published first: ``detail`` the English sentence clients always
    read, ``code`` and ``params`` for programs, ``message`` in ``lang`` saying what to do."""
    key = "config.stale.api" if exc.base_version is not None else "config.stale.api_no_base"
    return ConflictError(
        str(exc),
        headers={"Content-Language": lang, "Vary": "Accept-Language"},
        extra={
            "code": "stale_base",
            "params": {"in_force": exc.in_force, "base_version": exc.base_version},
            "message": translate_with(lang, key, in_force=exc.in_force, base=exc.base_version),
        },
    )


def _parse(submission: ConfigSubmission, lang: Lang) -> CentreConfig:
    try:
        if submission.source is not None:
            return read_text(submission.source, submission.name)
        return parse_data(submission.document, submission.name)
    except ConfigInvalid as exc:
        raise _invalid(exc, lang) from None


class SoundsCheckRequest(BaseModel):
    """A site, and a document (as in :class:`ConfigSubmission`) or none: the version in force."""

    site: str = Field(min_length=1, max_length=64, description="the site's code")
    source: str | None = Field(default=None, max_length=200_000, description="YAML text")
    document: dict[str, Any] | None = Field(default=None, description="the document as data")
    name: str = Field(default="document", max_length=120, description="file name for messages")

    @model_validator(mode="after")
    def _not_both(self) -> SoundsCheckRequest:
        if self.source is not None and self.document is not None:
            raise ValueError("give at most one of source (YAML text) or document (data)")
        return self


class MissingSoundRead(BaseModel):
    sound: str = Field(description="the sound name (played as sound:hotline/<name>)")
    paths: list[str] = Field(description="where the document names it")


class LanguageSoundsRead(BaseModel):
    language: str
    needed: int
    present: int
    missing: list[MissingSoundRead]


class SoundsCheckRead(BaseModel):
    site: str
    source: str = Field(description="the document checked: its name, or 'version N'")
    complete: bool
    languages: list[LanguageSoundsRead]


VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="the version number")]


@router.get("", response_model=ConfigOverview)
async def overview(state: AppStateDep, session: SessionDep, _: Checker) -> ConfigOverview:
    """The version in force and those waiting for their time."""
    now = state.clock.now()
    current = await store.in_force(session, now)
    later = await session.scalars(
        select(ConfigVersion)
        .where(ConfigVersion.effective_at > now)
        .order_by(ConfigVersion.effective_at)
    )
    return ConfigOverview(
        in_force=None if current is None else _read(current), scheduled=[_read(r) for r in later]
    )


@router.get("/versions", response_model=VersionPage)
async def list_versions(
    request: Request,
    response: Response,
    session: SessionDep,
    _: Checker,
    sort: Annotated[str | None, sort_param(VERSION_SORTS)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> VersionPage:
    """Every version, newest first (keyset pages, docs/api.md)."""
    chosen = choose_sort(VERSION_SORTS, sort)
    # An explicit FROM: the capped count keeps it when it swaps the columns for a constant.
    stmt = select(ConfigVersion).select_from(ConfigVersion)
    total, capped = await capped_total(session, stmt)
    rows = list(await session.scalars(page_query(stmt, chosen, cursor, limit)))
    return VersionPage(
        items=[_read(row) for row in rows[:limit]],
        limit=limit,
        next=next_link(request, response, chosen, rows, limit),
        total=total,
        total_capped=capped,
    )


@router.get("/versions/{version}", response_model=VersionDetail)
async def get_version(
    version: VersionNumber, state: AppStateDep, session: SessionDep, _: Checker
) -> VersionDetail:
    try:
        row = await store.get(session, version)
    except store.VersionNotFoundError as exc:
        raise NotFoundError(str(exc)) from None
    current = await store.in_force(session, state.clock.now())
    return VersionDetail(
        **_read(row).model_dump(),
        in_force=current is not None and current.id == row.id,
        document=row.document,
        source=row.source,
    )


@router.post("/validate", response_model=Validation)
async def validate(
    submission: ConfigSubmission, session: SessionDep, _: Checker, lang: RequestLang
) -> Validation:
    """Every check publishing makes, the directory's included; nothing is written."""
    config = _parse(submission, lang)
    try:
        await store.check_against_directory(session, config)
    except ConfigInvalid as exc:
        raise _invalid(exc, lang) from None
    return Validation(lines=list(config.document.lines), languages=list(config.document.languages))


@router.post("/diff", response_model=DiffRead)
async def diff(
    submission: ConfigSubmission,
    state: AppStateDep,
    session: SessionDep,
    _: Checker,
    lang: RequestLang,
) -> DiffRead:
    """What publishing the document would change, against the version in force."""
    config = _parse(submission, lang)
    current = await store.in_force(session, state.clock.now())
    old = None if current is None else current.document
    new = config.to_data()
    return DiffRead(
        in_force=None if current is None else current.id,
        changes=[ChangeRead(path=c.path, old=c.old, new=c.new) for c in store.changes(old, new)],
        diff=store.unified_diff(
            old,
            new,
            "(none)" if current is None else f"version {current.id}",
            submission.name,
        ),
    )


class DryRunRequest(ConfigSubmission):
    hours: int = Field(default=24, ge=1, le=24 * 14, description="replay this many past hours")
    replications: int = Field(default=5, ge=1, le=50)


class DryRunRead(BaseModel):
    hours: int
    calls: int = Field(description="recorded calls that reached a queue in the window")
    in_force: int | None
    old: dict[str, Any] | None = Field(description="KPIs under the version in force")
    new: dict[str, Any] = Field(description="KPIs under the submitted document")


@router.post("/dry-run", response_model=DryRunRead)
async def dry_run(
    body: DryRunRequest, state: AppStateDep, session: SessionDep, _: Checker, lang: RequestLang
) -> DryRunRead:
    """Replay the last ``hours`` of recorded traffic through the simulator under the version in
    force and under the document, side by side (docs/config.md)."""
    config = _parse(body, lang)
    now = state.clock.now()
    recorded = await dryrun.recorded_traffic(session, end=now, hours=body.hours)
    current = await store.in_force(session, now)
    old = None if current is None else current.document["routing"]
    await release_connection(session)  # the simulation takes a while: no connection held
    try:
        result = await asyncio.to_thread(
            dryrun.compare,
            recorded,
            old,
            config.document.routing,
            replications=body.replications,
        )
    except dryrun.NoTrafficError as exc:
        raise NotFoundError(str(exc)) from None
    return DryRunRead(
        hours=body.hours,
        calls=recorded.calls,
        in_force=None if current is None else current.id,
        old=None if result.old is None else dryrun.figures(result.old),
        new=dryrun.figures(result.new),
    )


@router.post("/versions", response_model=VersionRead, status_code=201)
async def publish(
    body: PublishRequest,
    state: AppStateDep,
    session: SessionDep,
    user: Publisher,
    lang: RequestLang,
) -> VersionRead:
    """Publish a new version (now, or at ``at``); the live service picks it up."""
    config = _parse(body, lang)
    publication = store.Publication(
        config=config,
        source=body.source or "",
        reason=body.reason,
        by=user.username,
        base_version=body.base_version,
        effective_at=body.at,
    )
    try:
        row = await store.publish(session, publication, now=state.clock.now())
    except ConfigInvalid as exc:
        raise _invalid(exc, lang) from None
    except store.StaleBaseError as exc:
        raise _stale(exc, lang) from None
    await _in_force_now(state, session)
    return _read(row)


@router.post("/versions/{version}/rollback", response_model=VersionRead, status_code=201)
async def rollback(
    version: VersionNumber,
    body: RollbackRequest,
    state: AppStateDep,
    session: SessionDep,
    user: Publisher,
    lang: RequestLang,
) -> VersionRead:
    """Put ``version`` back in force, as a new version that records the rollback."""
    try:
        row = await store.rollback(
            session, version, reason=body.reason, by=user.username, now=state.clock.now()
        )
    except store.VersionNotFoundError as exc:
        raise NotFoundError(str(exc)) from None
    except ConfigInvalid as exc:
        raise _invalid(exc, lang) from None
    await _in_force_now(state, session)
    return _read(row)


async def _in_force_now(state: AppState, session: AsyncSession) -> None:
    """Commit, then let this process's live service look at once (others poll)."""
    await release_connection(session)
    wake_follower(state.extras)


@router.post("/check-sounds", response_model=SoundsCheckRead)
async def check_sounds(
    request: SoundsCheckRequest,
    state: AppStateDep,
    session: SessionDep,
    _: Checker,
    lang: RequestLang,
) -> SoundsCheckRead:
    """Ask the site's Asterisk (ARI ``GET /sounds``) for every sound the document plays.

    A missing sound is an answer (``complete: false``), not an error: the caller decides
    whether to publish. An unknown site is a 422 on ``site``; a silent Asterisk a 503.
    """
    from hotline.centre.document import Document, played_by_language
    from hotline.sounds.check import missing_played
    from hotline.sounds.site import SiteLookupError, sounds_on

    if request.source is None and request.document is None:
        row = await store.in_force(session, state.clock.now())
        if row is None:
            missing = Problem("source", ProblemCode.NO_VERSION_IN_FORCE)
            raise _invalid(ConfigInvalid([missing]), lang)
        document, source = Document.model_validate(row.document), f"version {row.id}"
    else:
        submission = ConfigSubmission(
            source=request.source, document=request.document, name=request.name
        )
        document, source = _parse(submission, lang).document, request.name
    site = await session.scalar(select(Site).where(Site.code == request.site))
    if site is None:
        raise InvalidInputError(
            [{"loc": ["body", "site"], "msg": f"no site {request.site!r}", "type": "value_error"}]
        )
    session.expunge(site)  # keeps its loaded fields through the commit below
    await release_connection(session)  # the ARI round trip holds no database connection
    try:
        sounds = await sounds_on(site)
    except SiteLookupError as exc:
        raise ServiceUnavailableError(exc.message(lang)) from None
    checks = missing_played(played_by_language(document), sounds)
    return SoundsCheckRead(
        site=request.site,
        source=source,
        complete=all(not check.missing for check in checks),
        languages=[LanguageSoundsRead.model_validate(check.as_dict()) for check in checks],
    )
