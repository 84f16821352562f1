"""One error shape for the API (`code`, `message`, `field`, `value`) and one error page for people."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from straitlink.domain.errors import IncompleteRequest, StraitLinkError
from straitlink.web.principal import NotAuthenticated
from straitlink.web.render import error_text, page
from straitlink.web.security import request_lang, signed_in
from straitlink.web.throttle import TooManyAttempts


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_body(code: str, message: str, field: str | None = None, value: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, "value": None if value is None else str(value)}


def domain_body(exc: StraitLinkError) -> dict[str, Any]:
    body = error_body(exc.code, exc.message, exc.field, exc.value)
    if isinstance(exc, IncompleteRequest):
        body["missing"] = exc.missing
    return body


async def _error_page(request: Request, status: int, title: str, message: str | StraitLinkError) -> Response:
    """The error page, with the navigation and in the language of the caller when they are logged in."""
    who = await signed_in(request)
    lang = who.lang if who is not None else request_lang(request)
    text = error_text(message, lang) if isinstance(message, StraitLinkError) else message
    return page(request, "error.html", who, lang, {"title": title, "message": text}, status)


def install(app: FastAPI) -> None:
    """Register the handlers: the domain's errors, request validation, and HTTP errors (404, 405)."""

    @app.exception_handler(StraitLinkError)
    async def domain_error(request: Request, exc: StraitLinkError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        if is_api(request):
            return JSONResponse(domain_body(exc), status_code=exc.http_status, headers=headers)
        if isinstance(exc, NotAuthenticated):
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)
        return await _error_page(request, exc.http_status, exc.code, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        given = [str(part) for part in first.get("loc", ())]
        loc = [part for part in given if part not in ("body", "query", "path")]
        field = ".".join(loc) or ("body" if given[:1] == ["body"] else None)  # a body that is no JSON object
        message = f"{field or 'request'}: {first.get('msg', 'is not valid')}"
        if first.get("type") == "json_invalid":  # its loc is the offset of the error, not a field
            field = "body"
            message = f"body: is not valid JSON ({first.get('ctx', {}).get('error', 'cannot be parsed')})"
        value = first.get("input") if not isinstance(first.get("input"), dict | list) else None
        if is_api(request):
            return JSONResponse(error_body("invalid_value", message, field, value), status_code=422)
        return await _error_page(request, 422, "invalid_value", message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = "not_found" if exc.status_code == 404 else "http_error"
        message = f"path: {request.url.path!r} {exc.detail}"
        if is_api(request):
            return JSONResponse(error_body(code, message, "path", request.url.path), status_code=exc.status_code)
        return await _error_page(request, exc.status_code, code, message)
