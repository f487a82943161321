"""Talking to a SPARQL server safely: http(s) only, credentials kept out of every message and sent
as HTTP Basic auth, no redirect followed, a deadline for the whole answer and a cap on its size."""
from __future__ import annotations

import base64
import math
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from ..errors import EndpointError, UsageError

MAX_BYTES = 256 * 1024 * 1024  # the default cap on an answer's size


@dataclass(frozen=True)
class Endpoint:
    """A server URL split into what is sent (URL without credentials, an Authorization header)
    and what is shown (the URL with the password replaced by ***)."""

    url: str
    shown: str
    authorization: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)

    def redact(self, text: str) -> str:
        """The text with the password (raw or percent-encoded) replaced by ***."""
        if self.secret:
            for form in {self.secret, urllib.parse.quote(self.secret, safe="")}:
                text = text.replace(form, "***")
        return text


def parse_endpoint(url: str, *, option: str = "--endpoint") -> Endpoint:
    """An Endpoint for an http(s) URL; any other scheme (file:, ftp:, ...) is refused."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise UsageError(f"{option} is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        shown = f"scheme '{parts.scheme}:'" if parts.scheme else "no scheme"
        raise UsageError(f"{option} must be an http:// or https:// URL ({shown})")
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None:
        netloc += f":{port}"
    plain = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    if parts.username is None and parts.password is None:
        return Endpoint(url=plain, shown=plain)
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    shown_netloc = f"{urllib.parse.quote(user, safe='')}:***@{netloc}" if password else f"{user}@{netloc}"
    shown = urllib.parse.urlunsplit((parts.scheme, shown_netloc, parts.path, parts.query, ""))
    return Endpoint(url=plain, shown=shown, authorization=f"Basic {token}", secret=password or None)


def check_timeout(seconds: float, *, option: str = "--timeout") -> float:
    """A timeout that is a finite number of seconds above zero (nan and inf are refused)."""
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds <= 0:
        raise UsageError(f"{option} must be a number of seconds above 0, got {seconds!r}")
    return float(seconds)


class _Redirected(Exception):
    def __init__(self, code: int, target: str) -> None:
        super().__init__(target)
        self.code, self.target = code, target


def _refusing_redirects() -> Any:
    """A handler that never follows a redirect: a POST turned into a GET to another host would drop the
    query (and the credentials would go along); the user is told where the server points instead.
    urllib.request (and http.client, email...) is imported only when a server is asked: a command on
    local files never loads it."""
    import urllib.request

    class RefuseRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
            raise _Redirected(code, newurl)
    return RefuseRedirects()


def _without_credentials(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        return urllib.parse.urlunsplit((parts.scheme, parts.hostname or "", parts.path, parts.query, ""))
    except ValueError:
        return "(an invalid URL)"


def send(endpoint: Endpoint, request: Any, *, timeout: float, max_bytes: int = MAX_BYTES) -> bytes:
    """The whole body of the server's answer to a urllib.request.Request; every failure is one
    EndpointError naming endpoint.shown."""
    import urllib.error
    import urllib.request
    if endpoint.authorization:
        request.add_unredirected_header("Authorization", endpoint.authorization)
    opener = urllib.request.build_opener(_refusing_redirects())
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            return read_within(response, deadline, endpoint.shown, timeout, max_bytes=max_bytes)
    except EndpointError as e:
        raise EndpointError(endpoint.shown, endpoint.redact(e.cause)) from None
    except _Redirected as e:
        target = _without_credentials(urllib.parse.urljoin(endpoint.url, e.target))
        raise EndpointError(endpoint.shown, endpoint.redact(
            f"HTTP {e.code}: the server redirects to {target}; not followed (a redirect would drop the "
            f"query or send it elsewhere): give that URL as the endpoint if you trust it")) from None
    except urllib.error.HTTPError as e:
        try:
            text = e.read(200).decode("utf-8", "replace").strip().splitlines()
        except Exception:  # the error body itself may be cut off
            text = []
        cause = f"HTTP {e.code}" + (f" ({text[0][:200]})" if text else "")
        raise EndpointError(endpoint.shown, endpoint.redact(cause)) from None
    except Exception as e:  # every transport failure becomes one clear message
        raise EndpointError(endpoint.shown, endpoint.redact(describe_failure(e))) from None


def read_within(response: Any, deadline: float, url: str, timeout: float, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The whole body of an HTTP answer, or a timeout once the deadline passes (even if bytes trickle in),
    or a refusal once it grows past max_bytes."""
    expected = response.headers.get("Content-Length") if getattr(response, "headers", None) else None
    if expected and expected.isdigit() and int(expected) > max_bytes:
        raise EndpointError(url, f"the answer is {int(expected)} bytes, over the cap of {max_bytes} "
                                 "(--max-bytes); ask for fewer rows (LIMIT) or raise the cap")
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise EndpointError(url, f"timed out: no complete answer within {timeout:g} s")
        chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            body = b"".join(chunks)
            if expected and expected.isdigit() and len(body) < int(expected):
                raise EndpointError(url, f"connection broken during the answer: got {len(body)} of "
                                         f"{int(expected)} bytes")
            return body
        size += len(chunk)
        if size > max_bytes:
            raise EndpointError(url, f"the answer grew past the cap of {max_bytes} bytes (--max-bytes); "
                                     "ask for fewer rows (LIMIT) or raise the cap")
        chunks.append(chunk)


def describe_failure(error: BaseException) -> str:
    """A one-line cause for a failed HTTP exchange: status, refusal, timeout or broken answer."""
    import socket
    import urllib.error
    from http.client import HTTPException
    code = getattr(error, "code", None)
    if isinstance(code, int):
        return f"HTTP {code}"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return "timed out"
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused"
        return f"cannot connect ({reason})"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, (HTTPException, ConnectionError)):
        return f"connection broken during the answer ({type(error).__name__})"
    return f"{type(error).__name__}: {error}"
