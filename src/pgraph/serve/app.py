"""The web app: routes to the pages, the API and the SPARQL endpoint, behind a guard that sets the
security headers, caps request bodies and turns pgraph's errors into one-line HTTP answers."""
from __future__ import annotations

import functools
import sys
import threading
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

from ..errors import PgraphError, QueryError

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
MAX_BODY = 64 * 1024
STATIC = Path(__file__).parent / "static"


LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}


class Guard:
    """ASGI middleware: security headers on every answer, request bodies over MAX_BODY refused (413),
    and, on loopback, only requests addressed to a loopback name (421), so a web page that rebinds
    its own name to 127.0.0.1 cannot read the server (DNS rebinding)."""

    def __init__(self, app: Any, max_body: int = MAX_BODY, *, loopback_only: bool = True) -> None:
        self.app, self.max_body, self.loopback_only = app, max_body, loopback_only

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if self.loopback_only:
            host = headers.get(b"host", b"").decode("latin-1").lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in LOOPBACK_NAMES:
                await _plain(send, 421, "pgraph: error: this server answers requests addressed to 127.0.0.1 or "
                                        "localhost only (behind a proxy, send Host: 127.0.0.1; see docs/serve.md)\n")
                return
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _plain(send, 413, f"pgraph: error: request body over {self.max_body} bytes\n")
            return

        async def guarded_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY"), (b"cross-origin-resource-policy", b"same-origin")]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": headers + [h for h in extra if h[0] not in names]}
            await send(message)

        await self.app(scope, receive, guarded_send)


async def _plain(send: Any, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})


def _status(error: PgraphError) -> int:
    text = str(error)
    return 404 if isinstance(error, QueryError) and text.startswith("no saved query") else 400


def create_app(site: Any, *, loopback_only: bool = True) -> Any:
    """The ASGI application serving one loaded graph (see Site); loopback_only when it listens on loopback."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from . import api, entities, pages, sparql
    from .ontology import describe
    from . import workers as workers_module

    pool: list[Any] = []
    pool_lock = threading.Lock()

    def workers() -> Any:
        """The SPARQL worker processes, started on the endpoint's first query."""
        with pool_lock:
            if not pool:
                import atexit
                pool.append(workers_module.Workers(site.kg.backend.store, timeout=site.query_timeout,
                                                   max_rows=site.max_rows))
                atexit.register(pool[0].close)
            return pool[0]

    async def work(fn: Callable[..., Any], *args: Any) -> Any:
        """Run blocking engine work in a thread, so the event loop keeps answering."""
        from starlette.concurrency import run_in_threadpool
        return await run_in_threadpool(fn, *args)

    def html_errors(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request)
            except PgraphError as e:
                return HTMLResponse(pages.error_page(_status(e), str(e)), status_code=_status(e))
        return wrapped

    @html_errors
    async def home(request: Request) -> Response:
        return HTMLResponse(pages.catalogue(site))

    @html_errors
    async def query(request: Request) -> Response:
        given = pages.single_values(request.query_params)
        name = request.path_params["name"]
        status, page = await work(site.page, ("q", name, tuple(given.items())),
                                  functools.partial(pages.query_page, site, name, given))
        return HTMLResponse(page, status_code=status)

    async def api_answer(request: Request) -> Response:
        name, ext = request.path_params["name"], request.path_params["ext"]
        try:
            given = pages.single_values(request.query_params)
            body, media = await work(site.page, ("api", name, ext, tuple(given.items())),
                                     functools.partial(api.answer_bytes, site, name, ext, given))
        except PgraphError as e:
            if ext == "json":
                return JSONResponse({"error": str(e)}, status_code=_status(e))
            return PlainTextResponse(f"pgraph: error: {e}\n", status_code=_status(e))
        headers = {}
        if ext == "xlsx":
            headers["content-disposition"] = f'attachment; filename="{name}.xlsx"'
        return Response(body, media_type=media, headers=headers)

    async def openapi(request: Request) -> Response:
        return JSONResponse(api.openapi(site))

    async def sparql_endpoint(request: Request) -> Response:
        text, defaults, named = None, [], []
        params = request.query_params
        chosen = params.get("format")
        if request.method == "POST":
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    return PlainTextResponse(f"pgraph: error: request body over {MAX_BODY} bytes\n", status_code=413)
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind == "application/sparql-update":
                return PlainTextResponse("pgraph: error: SPARQL updates are refused; this endpoint is read-only\n",
                                         status_code=403)
            if kind == "application/sparql-query":
                text = body.decode("utf-8", "replace")
                form: dict[str, list[str]] = {}
            elif kind == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                if "update" in form:
                    return PlainTextResponse("pgraph: error: SPARQL updates are refused; this endpoint is "
                                             "read-only\n", status_code=403)
                text = (form.get("query") or [None])[0]
                chosen = (form.get("format") or [chosen])[0]
            else:
                return PlainTextResponse("pgraph: error: send the query as application/sparql-query or as a "
                                         "form field 'query'\n", status_code=415)
            defaults = form.get("default-graph-uri", []) + params.getlist("default-graph-uri")
            named = form.get("named-graph-uri", []) + params.getlist("named-graph-uri")
        else:
            if "update" in params:
                return PlainTextResponse("pgraph: error: SPARQL updates are refused; this endpoint is read-only\n",
                                         status_code=403)
            text = params.get("query")
            defaults, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
            if text is None:
                return HTMLResponse(pages.editor_page(site))
        if text is None or not text.strip():
            return PlainTextResponse("pgraph: error: no query given\n", status_code=400)
        try:
            sparql.refuse_unsafe(text)          # before anything parses or runs it
            from ..store import check_read_only
            form_name = check_read_only(text)
            media = sparql.negotiate(request.headers.get("accept", ""), "CONSTRUCT" if form_name in
                                     ("CONSTRUCT", "DESCRIBE") else form_name, chosen)
            from ..catalog import Iri
            for g in defaults + named:
                Iri(g)
        except ValueError as e:
            return PlainTextResponse(f"pgraph: error: {e}\n", status_code=400)
        try:
            body, content_type = await work(workers().run, text, media, defaults, named)
        except (sparql.Timeout, workers_module.Timeout) as e:
            return PlainTextResponse(f"pgraph: error: {e}\n", status_code=503)
        except sparql.TooLarge as e:
            return PlainTextResponse(f"pgraph: error: {e}\n", status_code=413)
        except PgraphError as e:
            return PlainTextResponse(f"pgraph: error: {e}\n", status_code=400)
        return Response(body, headers={"content-type": content_type})

    @html_errors
    async def entity(request: Request) -> Response:
        path = request.path_params["path"]
        try:
            iri = entities.iri_for(path)
        except ValueError:
            return HTMLResponse(pages.error_page(404, "no such entity"), status_code=404)
        if not await work(entities.exists, site, iri):
            return HTMLResponse(pages.error_page(404, f"no entity {iri} in the graph"), status_code=404)
        media = _entity_media(request.headers.get("accept", ""))
        if request.query_params.get("format") in ("turtle", "jsonld"):
            media = "text/turtle" if request.query_params["format"] == "turtle" else "application/ld+json"
        if media in ("text/turtle", "application/ld+json"):
            body = await work(entities.linked_data, site, iri, media)
            return Response(body, headers={"content-type": media + ("; charset=utf-8" if media == "text/turtle" else ""),
                                           "vary": "Accept"})
        as_of = pages.single_values(request.query_params).get("asOf") or pages.today()
        from ..catalog import ParamSpec, coerce
        as_of = coerce(ParamSpec("asOf", "xsd:date"), as_of).lexical
        page = await work(site.page, ("id", iri, as_of), functools.partial(pages.entity_page, site, iri, as_of))
        return HTMLResponse(page, headers={"vary": "Accept"})

    ontology_cache: dict[str, str] = {}

    async def ontology(request: Request) -> Response:
        if "page" not in ontology_cache:
            ontology_cache["page"] = await work(lambda: pages.ontology_page(describe()))
        return HTMLResponse(ontology_cache["page"])

    svg_cache: dict[tuple[str, str], str] = {}
    svg_lock = threading.Lock()

    def cached_overlap(as_of: str) -> str:
        key = ("overlap", as_of)
        with svg_lock:
            if key in svg_cache:
                return svg_cache[key]
        svg = pages.overlap_svg(site, as_of)
        with svg_lock:
            if len(svg_cache) > 64:
                svg_cache.clear()
            svg_cache[key] = svg
        return svg

    def picture_date(request: Request) -> str:
        from ..catalog import ParamSpec, coerce
        given = pages.single_values(request.query_params)
        return coerce(ParamSpec("asOf", "xsd:date"), given.get("asOf") or "today").lexical

    @html_errors
    async def overlap_page(request: Request) -> Response:
        as_of = picture_date(request)
        svg = await work(cached_overlap, as_of)
        return HTMLResponse(pages.pictures_page(site, as_of, svg))

    async def overlap_image(request: Request) -> Response:
        try:
            as_of = picture_date(request)
        except PgraphError as e:
            return PlainTextResponse(f"pgraph: error: {e}\n", status_code=400)
        svg = await work(cached_overlap, as_of)
        return Response(svg, media_type="image/svg+xml")

    report_cache: dict[str, str] = {}

    @html_errors
    async def report(request: Request) -> Response:
        day = pages.today()
        if day not in report_cache:
            report_cache.clear()
            report_cache[day] = await work(_build_report, site)
        return HTMLResponse(report_cache[day], headers={"content-security-policy": REPORT_CSP})

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    async def not_found(request: Request, exc: Exception) -> Response:
        code = getattr(exc, "status_code", 404)
        return HTMLResponse(pages.error_page(code, "no such page" if code == 404 else "not allowed"),
                            status_code=code)

    async def server_error(request: Request, exc: Exception) -> Response:
        print(f"pgraph serve: internal error on {request.url.path}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return PlainTextResponse("pgraph: error: internal error (see the server's log)\n", status_code=500)

    routes = [
        Route("/", home), Route("/q/{name}", query), Route("/api/{name}.{ext}", api_answer),
        Route("/openapi.json", openapi), Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/id/{path:path}", entity), Route("/ontology", ontology),
        Route("/pictures/overlap", overlap_page), Route("/pictures/overlap.svg", overlap_image),
        Route("/report", report), Route("/favicon.ico", favicon),
        Route("/q", lambda r: RedirectResponse("/")),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found, 500: server_error})
    app.state.site = site
    return Guard(app, loopback_only=loopback_only)


def _entity_media(accept: str) -> str:
    """text/html unless the Accept header prefers Turtle or JSON-LD to HTML (*/* gets the page)."""
    best, best_q = "text/html", 0.0
    for n, part in enumerate(accept.split(",")):
        media, *params = [p.strip().lower() for p in part.split(";")]
        q = next((float(p[2:]) for p in params if p.startswith("q=") and p[2:].replace(".", "", 1).isdigit()), 1.0)
        if media in ("text/turtle", "application/ld+json", "text/html", "application/xhtml+xml") and q > best_q:
            best, best_q = ("text/html" if media == "application/xhtml+xml" else media), q
    return best


def _build_report(site: Any) -> str:
    """The jungle report for today, built once a day (no tier what-if: the scenario is not loaded here)."""
    import datetime as dt
    import tempfile
    from ..report import build_report
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        build_report(site.kg, out, as_of=dt.date.today())
        return out.read_text(encoding="utf-8")
