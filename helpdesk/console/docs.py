"""The API's OpenAPI document and its interactive docs (Swagger UI), for admins only.

``/openapi.json`` and ``/docs`` take an admin's session cookie (a browser) or an admin's
bearer token (a tool): an agent gets 403, a request with a bad token 401, a browser that
is not signed in the sign-in page. Swagger UI's files come from the ``swagger-ui-bundle``
package and are served here (``/static/swagger-ui``): no CDN, and the console's
Content-Security-Policy (no inline script, nothing from another origin) holds on this page
too, with ``data:`` images allowed for Swagger UI's icons.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from helpdesk.console.security import AdminWho

router = APIRouter(include_in_schema=False)
SWAGGER_PATH = "/static/swagger-ui"

# The console's policy, plus the small ``data:`` SVG icons in Swagger UI's stylesheet.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>JSON API · Helpdesk console</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-url="/openapi.json"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def swagger_ui_dir() -> Any:
    """Swagger UI's files (imported when the app is built, not when this module is)."""
    from swagger_ui_bundle import swagger_ui_path

    return swagger_ui_path


@router.get("/openapi.json")
async def openapi(request: Request, who: AdminWho) -> JSONResponse:
    return JSONResponse(request.app.openapi(), headers={"Cache-Control": "private, no-store"})


@router.get("/docs")
async def docs(who: AdminWho) -> HTMLResponse:
    return HTMLResponse(
        PAGE.format(assets=SWAGGER_PATH),
        headers={"Cache-Control": "private, no-store", "Content-Security-Policy": DOCS_CSP},
    )
