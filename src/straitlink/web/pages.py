"""The pages people work in: log in and out, the dashboard, requests (inbox, outbox, one request, filing), records."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from straitlink.catalog import load_catalog
from straitlink.domain import workflow
from straitlink.domain.access import Permission
from straitlink.domain.deadlines import DeadlineState
from straitlink.domain.errors import InvalidValue, NotFound, StraitLinkError
from straitlink.domain.requests import Direction, RequestStatus
from straitlink.domain.workflow import RefusalGround
from straitlink.services.documents import Upload
from straitlink.services.kinds import KINDS, kind_named
from straitlink.services.records import ListFilter, today_utc8
from straitlink.services.request_lists import RequestFilter
from straitlink.services.request_views import DocumentView
from straitlink.services.requests import StepInput
from straitlink.web import acting
from straitlink.web.filters import after_key, cursor_after, list_filter, period_bound
from straitlink.web.i18n import LANGS, pick_lang
from straitlink.web.principal import NotAuthenticated
from straitlink.web.render import list_texts, page
from straitlink.web.security import (
    CSRF_FIELD,
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Caller,
    caller,
    client_address,
    login_csrf,
    request_lang,
    set_cookie,
    web_state,
)

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]
PAGE_ROWS = 50
DUE_SOON_DAYS = 14


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never an absolute or scheme-relative URL (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", lang: str | None = None, error: str | None = None) -> Response:
    chosen = pick_lang(lang, request.cookies.get(LANG_COOKIE), accept=request.headers.get("accept-language"))
    token = login_csrf(request)
    response = page(request, "login.html", None, chosen, {"next": _safe_next(next), "csrf": token, "error": error})
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    if lang in LANGS:
        set_cookie(response, request, LANG_COOKIE, chosen, max_age=365 * 86400)
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    state = web_state(request)
    lang = request_lang(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or csrf_token != expected:
        return _login_again(request, lang, next, "csrf", 403)
    address = client_address(request)
    username = username.strip()
    try:
        state.throttle.check(username, address)
        principal = state.authenticate(username, password)
    except NotAuthenticated:
        state.throttle.failed(username, address)
        return _login_again(request, lang, next, "wrong", 401)
    except StraitLinkError as exc:
        return _login_again(request, lang, next, exc.code, exc.http_status)
    state.throttle.succeeded(username)
    session = state.sessions.open(principal.username, lang)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(response, request, SESSION_COOKIE, session.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


def _login_again(request: Request, lang: str, next: str, error: str, status: int) -> Response:
    token = login_csrf(request)
    context = {"next": _safe_next(next), "csrf": token, "error": error}
    response = page(request, "login.html", None, lang, context, status)
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


@router.post("/logout")
def logout(request: Request, who: Who) -> Response:
    if who.session_token:
        web_state(request).sessions.close(who.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang")
def switch_lang(
    request: Request, who: Who, lang: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> Response:
    if lang not in LANGS:
        raise InvalidValue("lang", lang, "one of " + ", ".join(LANGS))
    if who.session_token:
        web_state(request).sessions.set_lang(who.session_token, lang)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(response, request, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, who: Who, synthetic: bool = False) -> Response:
    context = await run_in_threadpool(_dashboard, request, who, synthetic)
    return page(request, "dashboard.html", who, who.lang, context)


def _dashboard(request: Request, who: Who, synthetic: bool) -> dict[str, Any]:
    """What the dashboard shows this principal: only what their roles may read."""
    office = web_state(request).office
    p = who.principal
    today = today_utc8()
    real = ListFilter(exclude_provenance=frozenset({"synthetic"}))
    context: dict[str, Any] = {"cases": [], "seizures": [], "requests": [], "headline": [], "year": today.year}
    if p.may(Permission.CASES_READ):
        cases = acting.list_records(office, p, kind_named("case"), real)
        seizures = acting.list_records(office, p, kind_named("seizure"), real)
        context["cases"] = [acting.record_json(c) for c in cases[-10:]][::-1]
        context["seizures"] = [acting.record_json(s) for s in seizures[-10:]][::-1]
    if p.may(Permission.REQUESTS_READ):
        recent = dataclasses.replace(real, start=today - timedelta(days=30))
        requests = acting.list_records(office, p, kind_named("request"), recent)
        context["requests"] = [acting.record_json(r) for r in requests[-10:]][::-1]
    due = acting.open_deadlines(office, p, synthetic=synthetic)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    context["overdue"] = [d for d in due if d.deadline.state is DeadlineState.OVERDUE][:10]
    context["due_soon"] = [d for d in due if d.deadline.state is DeadlineState.RUNNING and d.deadline.due <= soon][:10]
    context["synthetic"] = synthetic
    if p.may(Permission.STATS_READ):
        since = acting.statistics(office, p, date(2009, 6, 25), today, None, False)
        year = acting.statistics(office, p, date(today.year, 1, 1), today, None, False)
        context["headline"] = [(since, "since"), (year, "year")]
    return context


@router.get("/requests", response_class=HTMLResponse)
async def requests_box(
    request: Request, who: Who, box: str = "inbox", status: str | None = None, cursor: str | None = None
) -> Response:
    if box not in ("inbox", "outbox"):
        raise InvalidValue("box", box, "inbox or outbox")
    mine = who.principal.party
    requesting = mine.other if box == "inbox" else mine
    # A work queue: the open requests, oldest first, unless a status (or "any") is asked for.
    status = status if status is not None else "open"
    known = RequestStatus._value2member_map_
    if status not in ("open", "any", "") and status not in known:
        raise InvalidValue("status", status, "open, any or one of " + ", ".join(known))
    statuses = frozenset({RequestStatus(status)}) if status in known else frozenset()
    if status == "open":
        statuses = frozenset(s for s in RequestStatus if s.is_open)
    # Keyset paging on (filed_on, id): the page after the cursor's row, one more fetched to know if one follows.
    after = after_key(cursor)
    filed, last_id = after if after is not None else (None, "")
    if after is not None and filed is None:  # every request has its filing date
        raise InvalidValue("cursor", cursor, "not a cursor this API gave out")
    flt = RequestFilter(
        statuses=statuses,
        direction=Direction.of(requesting),
        limit=PAGE_ROWS + 1,
        after=(filed, last_id) if filed is not None else None,
    )
    found = await run_in_threadpool(acting.list_request_rows, web_state(request).office, who.principal, flt)
    nxt = None
    if len(found) > PAGE_ROWS:
        last = found[PAGE_ROWS - 1]
        query = {"box": box, "cursor": cursor_after((last.filed_on, last.id)), "status": status}
        nxt = "/requests?" + urlencode(query)
    context = {
        "box": box,
        "rows": found[:PAGE_ROWS],
        "texts": list_texts(who.lang),
        "next": nxt,
        "status": status or "",
        "statuses": list(RequestStatus),
    }
    return page(request, "requests.html", who, who.lang, context)


@router.get("/requests/new", response_class=HTMLResponse)
def request_form(request: Request, who: Who, case: str | None = None) -> Response:
    """The filing form; from a case's page it files the request for that case."""
    values = {"case": acting.resolve_id(web_state(request).office, kind_named("case"), case)} if case else {}
    return page(request, "request_new.html", who, who.lang, _filing_context(who, values, None))


def _filing_context(who: Who, values: dict[str, str], error: StraitLinkError | None) -> dict[str, Any]:
    catalog = load_catalog()
    mine = who.principal.party.value
    agencies = [a for a in catalog.agencies if a.party.value == mine]
    return {
        "values": values,
        "error": error,
        "types": [t.id.value for t in catalog.request_types],
        "agencies": [a.id for a in agencies],
        "missing": getattr(error, "missing", []),
    }


FILING_FIELDS = (
    "type",
    "subject",
    "requesting_agency",
    "purpose",
    "matters",
    "case_summary",
    "execution_needs",
    "urgency",
    "case",
)


@router.post("/requests/new", response_class=HTMLResponse)
async def file_request(request: Request, who: Who) -> Response:
    form = await request.form()
    values = {f: str(form.get(f) or "").strip() for f in FILING_FIELDS}
    data = {k: v for k, v in values.items() if v}
    try:
        filed = await run_in_threadpool(acting.file_request, web_state(request).office, who.principal, data)
    except StraitLinkError as exc:
        context = _filing_context(who, values, exc)
        return page(request, "request_new.html", who, who.lang, context, exc.http_status)
    return RedirectResponse(f"/requests/{filed.id}", status_code=303)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, who: Who, request_id: str, error: str | None = None) -> Response:
    office = web_state(request).office
    view = acting.show_request(office, who.principal, request_id)
    steps = []
    for target in acting.next_steps(view.request, who.principal):
        t = workflow.transition_for(view.request.status, target)
        steps.append({"target": target.value, "needs": [n.value for n in t.needs], "article": t.article})
    catalog = load_catalog()
    executing = [a.id for a in catalog.agencies if a.party is view.request.requested_party]
    context = {
        "view": view,
        "r": acting.record_json(view.request),
        "steps": steps,
        "grounds": [g.value for g in RefusalGround],
        "executing": executing,
        "error": error,
    }
    return page(request, "request.html", who, who.lang, context)


@router.post("/requests/{request_id}/step")
def request_step(
    request: Request,
    who: Who,
    request_id: str,
    target: Annotated[str, Form()],
    version: Annotated[int | None, Form()] = None,
    on: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    ground: Annotated[str, Form()] = "",
    executing_agency: Annotated[str, Form()] = "",
    materials_returned: Annotated[bool, Form()] = False,
    document: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        goal = RequestStatus(target)
    except ValueError:
        raise InvalidValue("target", target, "a status of the workflow") from None
    uploads: tuple[Upload, ...] = ()
    if document is not None and document.filename:
        uploads = (Upload(document.filename, document.file.read()),)
    step = StepInput(
        on=period_bound(on, "on", end=False),
        text=text or None,
        ground=RefusalGround(ground) if ground in RefusalGround._value2member_map_ else None,
        executing_agency=executing_agency or None,
        materials_returned=materials_returned,
        documents=uploads,
    )
    try:
        acting.transition(web_state(request).office, who.principal, request_id, goal, step, version)
    except (NotFound, NotAuthenticated):
        raise
    except StraitLinkError as exc:
        return RedirectResponse(f"/requests/{request_id}?" + urlencode({"error": exc.message}), status_code=303)
    return RedirectResponse(f"/requests/{request_id}", status_code=303)


@router.get("/documents/{document_id}")
def document(request: Request, who: Who, document_id: str) -> Response:
    """A request's document, as a download; the read is audited with the purpose it may be used for."""
    return document_response(*acting.read_document(web_state(request).office, who.principal, document_id))


def document_response(view: DocumentView, content: bytes) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(view.filename)}"
    headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}
    return Response(content, media_type=view.media_type, headers=headers)


@router.get("/records/{kind}", response_class=HTMLResponse)
async def records(
    request: Request, who: Who, kind: str, cursor: str | None = None, no_synthetic: bool = True
) -> Response:
    try:
        k = kind_named(kind)
    except InvalidValue:
        raise NotFound("kind", kind) from None
    flt = dataclasses.replace(list_filter(no_synthetic=no_synthetic, limit=PAGE_ROWS + 1), after=after_key(cursor))
    found = await run_in_threadpool(acting.list_records, web_state(request).office, who.principal, k, flt)
    rows = acting.records_shown(web_state(request).office, found[:PAGE_ROWS])
    nxt = None
    if len(found) > PAGE_ROWS:
        following = cursor_after(acting.list_key(k, found[PAGE_ROWS - 1]))
        nxt = f"/records/{k.plural}?" + urlencode({"cursor": following, "no_synthetic": no_synthetic})
    context = {
        "kind": k.plural,
        "rows": rows,
        "next": nxt,
        "kinds": [x.plural for x in KINDS],
        "no_synthetic": no_synthetic,
    }
    return page(request, "records.html", who, who.lang, context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, who: Who, case_id: str) -> Response:
    office = web_state(request).office
    [case] = acting.records_shown(office, [acting.get_record(office, who.principal, kind_named("case"), case_id)])
    related = {
        plural: acting.records_shown(office, acting.records_of_case(office, who.principal, plural, case["id"]))
        for plural in ("operations", "persons", "seizures", "outcomes", "requests")
    }
    return page(request, "case.html", who, who.lang, {"case": case, "related": related})


__all__ = ["CSRF_FIELD", "router"]
