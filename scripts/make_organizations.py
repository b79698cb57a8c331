"""Derive data/organizations.json (stable slug, Persian name, website) from the catalog.

Run with `make organizations` after the catalog changes; a test keeps the file in sync.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".gov.ir", ".org.ir", ".ac.ir", ".ir", ".org", ".com")


def slug_for(website: str) -> str:
    """https://www.vazifeh.police.ir -> vazifeh-police (stable while the site is)."""
    host = (urlparse(website).hostname or "").lower()
    host = host.removeprefix("www.")
    for suffix in SUFFIXES:
        if host.endswith(suffix):
            host = host[: -len(suffix)]
            break
    return host.replace(".", "-")


def derive(data_dir: Path) -> list[dict]:
    seen: dict[str, dict] = {}
    for path in sorted(data_dir.glob("part-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            name = record["organization"]
            if name not in seen:
                seen[name] = {
                    "slug": slug_for(record["organization_website"]),
                    "name": name,
                    "website": record["organization_website"],
                }
    orgs = sorted(seen.values(), key=lambda o: o["slug"])
    slugs = [o["slug"] for o in orgs]
    if len(set(slugs)) != len(slugs):
        raise SystemExit(f"duplicate organization slugs: {sorted(s for s in slugs if slugs.count(s) > 1)}")
    return orgs


def main() -> None:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data"
    orgs = derive(data_dir)
    out = data_dir / "organizations.json"
    out.write_text(json.dumps(orgs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {len(orgs)} organizations")


if __name__ == "__main__":
    main()
