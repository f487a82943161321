"""Running the app: load the graph before listening (a bad data folder stops it with the CLI's
one-line error), bind the socket ourselves (a busy port is one line too), warn off loopback."""
from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path


from ..errors import UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or UsageError saying why not."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: not a port number (0-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise UsageError(f"--host {host}: cannot resolve ({e.strerror})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    return sock


def serve(data_dir: str | Path | None = None, *, host: str = "127.0.0.1", port: int = 8000,
          open_browser: bool = False, query_timeout: float = 10.0, ready: threading.Event | None = None) -> None:
    """Load the graph once, then serve it until interrupted."""
    import uvicorn
    from ..graph import load
    from .app import create_app
    from .site import Site
    kg = load(data_dir, cached=True)  # raises the CLI's InputError before anything listens
    site = Site(kg, query_timeout=query_timeout)
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    if host not in LOOPBACK:
        print(f"pgraph serve: warning: listening on {host}, reachable from other machines; "
              "the default 127.0.0.1 keeps it to this one", file=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    app = create_app(site, loopback_only=host in LOOPBACK)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            limit_concurrency=256, timeout_keep_alive=5, server_header=False)
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            print(f"pgraph serve: {url} ({site.kg.backend.location}; Ctrl-C stops)", file=sys.stderr, flush=True)
            if ready is not None:
                ready.set()
            if open_browser:
                import webbrowser
                webbrowser.open(url)

    threading.Thread(target=announce, name="pgraph-serve-announce", daemon=True).start()
    server.run(sockets=[sock])


def write_ontology_docs(folder: Path) -> Path:
    """The ontology pages as static HTML (for `make docs`)."""
    from .ontology import write_static
    return write_static(folder)



