"""`python -m search_app`: serve the app with uvicorn on HOST:PORT (settings validated first)."""
from __future__ import annotations

import sys

import uvicorn

from indexer.config import ConfigError
from search_app.app import create_app
from search_app.config import Settings


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    print(f"Panjereh on http://{settings.host}:{settings.port} (Elasticsearch {settings.es.url}, "
          f"index {settings.es.alias})", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=False, server_header=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
