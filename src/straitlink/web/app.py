"""The web app: pages for people (Jinja2 + htmx), the JSON API under /api/v1, and its interactive docs.

Everything is served from the package: htmx and Swagger UI's assets included, so the app works without internet.
"""

from __future__ import annotations

from importlib.resources import files

import swagger_ui_bundle
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from straitlink.config import Settings
from straitlink.exchange.http import router as exchange_router
from straitlink.services import access, accounts
from straitlink.services.page_check import PageChecker
from straitlink.services.requests import Desk
from straitlink.services.session import connect
from straitlink.web import (
    account_page,
    admin_page,
    api,
    api_accounts,
    api_ingest,
    api_meetings,
    api_stats,
    errors,
    follow_up_forms,
    ingest_page,
    meetings_page,
    pages,
    record_forms,
    search_views,
    stats_page,
)
from straitlink.web.acting import Office
from straitlink.web.filters import known_query_only
from straitlink.web.page_cache import PageCache, PageStore
from straitlink.web.principal import Authenticate, LoadPrincipal
from straitlink.web.sessions import SessionStore, SqlSessionStore, TokenStore
from straitlink.web.state import WebState
from straitlink.web.throttle import LoginThrottle

OPENAPI_URL = "/api/v1/openapi.json"


def create_app(
    engine: Engine,
    *,
    settings: Settings | None = None,
    authenticate: Authenticate | None = None,
    load_principal: LoadPrincipal | None = None,
    sessions: SessionStore | None = None,
    throttle: LoginThrottle | None = None,
) -> FastAPI:
    """The app bound to one database engine; people log in with the accounts of services.accounts."""
    settings = settings or Settings.load()
    app = FastAPI(
        title="StraitLink API",
        version="1.0.0",
        description="Records, requests and their workflow of the Cross-Strait liaison mechanism (docs/api.md).",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    web = app.state.web = WebState(
        office=Office(engine, Desk.from_settings(settings, engine)),
        sessions=sessions or SqlSessionStore(engine),
        tokens=TokenStore(engine),
        throttle=throttle or LoginThrottle(),
        authenticate=authenticate or (lambda username, password: accounts.authenticate(engine, username, password)),
        load_principal=load_principal or (lambda username: access.principal_for(engine, username)),
    )
    if sessions is None and load_principal is None and settings.page_cache_entries > 0:
        # Only with the app's own sessions and principals: the cache checks them with its own query.
        app.state.page_store = store = PageStore(settings.page_cache_entries, settings.page_cache_mb * 1024 * 1024)
        checker = PageChecker(engine, clock=SqlSessionStore(engine).clock)
        app.add_middleware(PageCache, checker=checker, today=lambda: web.office.desk.today(), store=store)
    # The more specific mount first: Starlette takes the first route that matches.
    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=str(files("straitlink.web") / "static")), name="static")

    @app.get("/api/v1/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="StraitLink API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    errors.install(app)
    # The API refuses a query parameter it does not take instead of ignoring it (web.filters.known_query_only).
    strict = [Depends(known_query_only)]
    app.include_router(api_meetings.router, dependencies=strict)  # before api.router, whose /api/v1/{kind} would
    app.include_router(api_stats.router, dependencies=strict)  # take /follow-ups, /statistics, /accounts,
    app.include_router(api_accounts.router, dependencies=strict)  # /ingest and /search
    app.include_router(api_ingest.router, dependencies=strict)
    app.include_router(search_views.api, dependencies=strict)
    app.include_router(api.router, dependencies=strict)
    app.include_router(pages.router)
    app.include_router(stats_page.router)
    app.include_router(ingest_page.router)
    app.include_router(search_views.pages)
    app.include_router(account_page.router)
    app.include_router(admin_page.router)
    app.include_router(record_forms.router)
    app.include_router(meetings_page.router)
    app.include_router(follow_up_forms.router)
    app.include_router(exchange_router(engine, settings))
    return app


def app_from_environment() -> FastAPI:
    """The app for `uvicorn --factory` with several workers: database and data directory from the environment."""
    settings = Settings.load()
    return create_app(connect(settings.database_url), settings=settings)
