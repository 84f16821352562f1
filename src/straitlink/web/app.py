"""The web app: for now a page listing the loaded records by kind, and the same as JSON."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from straitlink.domain.access import Principal
from straitlink.domain.errors import StraitLinkError
from straitlink.domain.parties import Party
from straitlink.services import records as svc
from straitlink.services.kinds import KINDS, kind_named
from straitlink.services.present import present
from straitlink.services.records import ListFilter
from straitlink.services.session import unit_of_work

templates = Jinja2Templates(directory=str(files("straitlink.web") / "templates"))
PAGE = 200


def create_app(engine: Engine) -> FastAPI:
    """The app bound to one database engine."""
    app = FastAPI(title="StraitLink", version="0.1.0")

    def counts() -> list[dict[str, Any]]:
        with unit_of_work(engine) as uow:
            return [{"kind": k.plural, "count": uow.repo(k.mapper).count()} for k in KINDS]

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "index.html", {"counts": counts()})

    @app.get("/records/{kind}", response_class=HTMLResponse)
    def listing(request: Request, kind: str) -> HTMLResponse:
        k, rows = _rows(kind)
        return templates.TemplateResponse(request, "records.html", {"kind": k, "rows": rows, "page": PAGE})

    @app.get("/api/v1/counts")
    def api_counts() -> list[dict[str, Any]]:
        return counts()

    @app.get("/api/v1/{kind}")
    def api_list(kind: str) -> list[dict[str, Any]]:
        return _rows(kind)[1]

    def _rows(kind: str) -> tuple[Any, list[dict[str, Any]]]:
        try:
            k = kind_named(kind)
        except StraitLinkError as exc:
            raise HTTPException(exc.http_status if exc.http_status != 422 else 404, exc.message) from None
        viewer = Principal.system(Party.TW, "web")  # replaced by the logged-in account (issue #11)
        rows = present(engine, k, svc.list_records(engine, k, ListFilter(limit=PAGE), principal=viewer))
        return k, rows

    return app
