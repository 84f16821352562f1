"""Forms to add and edit records from their pages: a case's operations, suspects, seizures (with vessels and
containers), the outcomes linking intel to it; meetings; intel hand-overs and their outcomes.

Adding goes through `records.add_record`, editing through `records.update_record` with the version the form was
read at: when someone else changed the record meanwhile, the form comes back with what was typed and a message
saying so (409), and nothing is stored. A refusal for bad input names the field and the value and keeps the text.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from straitlink.domain import access
from straitlink.domain.errors import Conflict, Forbidden, NotFound, StraitLinkError
from straitlink.services.access import require
from straitlink.services.kinds import Kind, kind_named
from straitlink.services.records import ListFilter
from straitlink.web import acting
from straitlink.web.form_fields import FORM_FIELDS, HINTS, FormField, field_text, form_fields, parse_form
from straitlink.web.i18n import catalogue_name, format_partial
from straitlink.web.render import QUANTITY_SEPARATORS, page, quantity_text
from straitlink.web.security import Caller, caller, web_state

router = APIRouter()
Who = Annotated[Caller, Depends(caller)]
REAL = ListFilter(exclude_provenance=frozenset({"synthetic"}))


def _kind(name: str) -> Kind:
    try:
        k = kind_named(name)
    except StraitLinkError:
        raise NotFound("kind", name) from None
    if k.name not in FORM_FIELDS:
        raise NotFound("form", name)
    return k


def _may_write(request: Request, who: Who, kind: Kind) -> None:
    """The form is refused to whoever may not write the kind, before anything is shown."""
    require(
        web_state(request).office.engine,
        who.principal,
        access.write_permission(kind.name),
        f"change {kind.name} records",
    )


def _title(record: dict[str, Any]) -> str:
    return str(record.get("title") or record.get("name") or record.get("label") or record.get("summary") or "")[:60]


def _options(request: Request, who: Who, kind: Kind, case_id: str | None) -> dict[str, list[tuple[str, str]]]:
    """The records the form's reference fields may name: the case's own, and the intel this account may read."""
    office = web_state(request).office
    p = who.principal
    out: dict[str, list[tuple[str, str]]] = {}
    fields = FORM_FIELDS[kind.name]
    if case_id:
        for name in ("operations", "seizures", "persons"):
            single = name[:-1]
            if name in fields or single in fields:
                rows = [acting.record_json(r) for r in acting.records_of_case(office, p, name, case_id)]
                out[name if name in fields else single] = [(r["id"], _describe(name, r, who.lang)) for r in rows]
    for name in ("intel", "case"):
        if name in fields and not (name == "case" and case_id):
            rows = [acting.record_json(r) for r in acting.list_records(office, p, kind_named(name), REAL)]
            out[name] = [(r["id"], _title(r)) for r in rows]
    return out


def _describe(plural: str, r: dict[str, Any], lang: str) -> str:
    """A record as a choice reads: a seizure by its drug's name in the language, its date and its quantities."""
    if plural == "seizures":
        drug = catalogue_name("drug", r["drug"], lang) if r.get("drug") else ""
        when = format_partial(r["date"], lang) if r.get("date") else ""
        amounts = QUANTITY_SEPARATORS[lang].join(quantity_text(q, lang) for q in r.get("quantities") or [])
        return " ".join(x for x in (drug, amounts, when) if x)[:80] or r["id"][:8]
    return _title(r) or r["id"][:8]


def _context(
    request: Request,
    who: Who,
    kind: Kind,
    *,
    values: dict[str, Any],
    record: dict[str, Any] | None,
    case_id: str | None,
    intel_id: str | None,
    error: StraitLinkError | None = None,
) -> dict[str, Any]:
    fields = form_fields(kind, _options(request, who, kind, case_id))
    return {
        "kind": kind.name,
        "plural": kind.plural,
        "fields": fields,
        "values": values,
        "record": record,
        "case_id": case_id,
        "intel_id": intel_id,
        "hints": HINTS,
        "error": error,
        "conflict": isinstance(error, Conflict),
        "back": _back(kind, record, case_id, intel_id),
    }


def _back(kind: Kind, record: dict[str, Any] | None, case_id: str | None, intel_id: str | None) -> str:
    """Where the form leads back to: the case, the intel hand-over or the meeting it belongs to."""
    if kind.name == "outcome" and intel_id:
        return f"/intel/{intel_id}"  # recorded from the intel hand-over's page: back there
    if case_id:
        return f"/cases/{case_id}"
    if kind.name == "outcome" and (record or {}).get("intel"):
        return f"/intel/{(record or {})['intel']}"
    if record is not None and kind.name in ("meeting", "intel", "case"):
        return {"meeting": "/meetings/", "intel": "/intel/", "case": "/cases/"}[kind.name] + record["id"]
    return {"meeting": "/meetings", "intel": "/intel"}.get(kind.name, f"/records/{kind.plural}")


def _typed(form: FormData, fields: list[FormField]) -> dict[str, Any]:
    return {
        f.name: ([str(v) for v in form.getlist(f.name)] if f.widget == "records" and f.many else form.get(f.name))
        for f in fields
    }


@router.get("/records/{kind}/new", response_class=HTMLResponse)
def new_form(request: Request, who: Who, kind: str, case: str | None = None, intel: str | None = None) -> Response:
    k = _kind(kind)
    _may_write(request, who, k)
    office = web_state(request).office
    case_id = acting.resolve_id(office, kind_named("case"), case) if case else None
    values: dict[str, Any] = {"intel": intel} if intel else {}
    context = _context(request, who, k, values=values, record=None, case_id=case_id, intel_id=intel)
    return page(request, "record_form.html", who, who.lang, context)


@router.post("/records/{kind}/new", response_class=HTMLResponse)
async def add(request: Request, who: Who, kind: str) -> Response:
    k = _kind(kind)
    form = await request.form()
    case_id = str(form.get("case") or "") or None
    intel_id = str(form.get("intel_of") or "") or None
    fields = form_fields(k, {})
    typed = _typed(form, fields)
    office = web_state(request).office
    try:
        data = parse_form(k, fields, typed)
        if case_id and "case" in k.mapper.record.__dataclass_fields__:
            data["case"] = case_id
        made = acting.add_record(office, who.principal, k, {k_: v for k_, v in data.items() if v not in (None, [])})
    except (Forbidden, NotFound):
        raise
    except StraitLinkError as exc:
        context = _context(request, who, k, values=typed, record=None, case_id=case_id, intel_id=intel_id, error=exc)
        return page(request, "record_form.html", who, who.lang, context, exc.http_status)
    return RedirectResponse(_back(k, acting.record_json(made), case_id, intel_id), status_code=303)


@router.get("/records/{kind}/{record_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, who: Who, kind: str, record_id: str) -> Response:
    k = _kind(kind)
    _may_write(request, who, k)
    record = acting.record_json(acting.get_record(web_state(request).office, who.principal, k, record_id))
    values = {name: field_text(name, record.get(name), who.lang) for name in FORM_FIELDS[k.name]}
    case_id = record.get("case") if k.name != "case" else None
    context = _context(request, who, k, values=values, record=record, case_id=case_id, intel_id=None)
    return page(request, "record_form.html", who, who.lang, context)


@router.post("/records/{kind}/{record_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, who: Who, kind: str, record_id: str) -> Response:
    k = _kind(kind)
    form = await request.form()
    office = web_state(request).office
    record = acting.record_json(acting.get_record(office, who.principal, k, record_id))
    case_id = record.get("case") if k.name != "case" else None
    fields = form_fields(k, {})
    typed = _typed(form, fields)
    try:
        version = int(str(form.get("version") or ""))
    except ValueError:
        version = -1  # a form without its version cannot say what it was based on: refused as stale below
    try:
        changes = parse_form(k, fields, typed)
        acting.update_record(office, who.principal, k, record["id"], changes, version)
    except (Forbidden, NotFound):
        raise
    except StraitLinkError as exc:
        shown = {**record, "version": version}  # the form keeps the version it was read at
        context = _context(request, who, k, values=typed, record=shown, case_id=case_id, intel_id=None, error=exc)
        context["current_version"] = record["version"]
        return page(request, "record_form.html", who, who.lang, context, exc.http_status)
    return RedirectResponse(_back(k, record, case_id, None), status_code=303)


def new_link(plural: str, **params: str) -> str:
    """The address of an add form, prefilled (a case's id, the intel an outcome follows)."""
    return f"/records/{plural}/new" + (f"?{urlencode(params)}" if params else "")
