"""Expand the real catalog into N synthetic services, deterministically (seeded), for benchmarks.

    python scripts/gen_catalog.py [--docs N] [--out DIR] [--seed S] [--per-part K] [--jobs J]

Every synthetic record is valid (it passes indexer.records.validate) and recombines the real
catalog: a real service's title (sometimes with a province, a year, an audience or a number), its
organization (sometimes another one), its taxonomy, a description stitched from real sentences
(some long), steps, documents and aliases drawn mostly from the same service and partly from
others, numbers varied. The output directory is a complete PANJEREH_DATA directory: the part
files plus copies of taxonomy.json, organizations.json and best_bets.json.

The same --docs/--seed always gives byte-identical files; an existing complete output is reused.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.records import Record, catalog_files, read_records  # noqa: E402
from indexer.taxonomy import load_taxonomy  # noqa: E402

DATA = ROOT / "data"
ID_BASE = 10_000_000
PROVINCES = ["تهران", "اصفهان", "فارس", "خراسان رضوی", "آذربایجان شرقی", "آذربایجان غربی", "خوزستان",
             "مازندران", "گیلان", "کرمان", "یزد", "قم", "البرز", "همدان", "کرمانشاه", "لرستان", "مرکزی",
             "هرمزگان", "بوشهر", "سیستان و بلوچستان", "کردستان", "زنجان", "قزوین", "سمنان", "گلستان",
             "اردبیل", "ایلام", "چهارمحال و بختیاری", "کهگیلویه و بویراحمد", "خراسان شمالی", "خراسان جنوبی"]
CITIES = ["تهران", "مشهد", "اصفهان", "شیراز", "تبریز", "کرج", "اهواز", "قم", "کرمانشاه", "ارومیه", "رشت",
          "زاهدان", "همدان", "کرمان", "یزد", "اردبیل", "بندرعباس", "اراک", "زنجان", "سنندج", "قزوین",
          "خرم‌آباد", "گرگان", "ساری", "بجنورد", "بیرجند", "ایلام", "شهرکرد", "یاسوج", "سمنان", "بوشهر"]
AUDIENCE_PHRASES = ["ویژه بازنشستگان", "ویژه دانشجویان", "ویژه اتباع خارجی", "ویژه ایثارگران",
                    "ویژه افراد دارای معلولیت", "ویژه کسب‌وکارهای کوچک", "ویژه روستاییان", "ویژه زنان سرپرست خانوار"]
VARIANT_WORDS = ["تمدید", "پیگیری", "اصلاح", "ابطال", "استعلام", "درخواست", "تغییر", "لغو"]
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_NUMBER = re.compile("[۰-۹]+")
_SENTENCE = re.compile(r"(?<=[.؟!])\s+")


def fa(n: int) -> str:
    return str(n).translate(FA_DIGITS)


def load_pools(data_dir: Path) -> dict:
    taxonomy = load_taxonomy(data_dir)
    records = [item.data for item in read_records(catalog_files(data_dir), taxonomy) if isinstance(item, Record)]
    if not records:
        raise SystemExit(f"no valid records in {data_dir}")
    sentences = [s for r in records for s in _SENTENCE.split(r["description"]) if s.strip()]
    return {
        "records": records,
        "sentences": sentences,
        "steps": [s for r in records for s in r["steps"]],
        "documents": [d for r in records for d in r["documents"]],
        "aliases": [a for r in records for a in r["aliases"]],
        "orgs": [(o.name, o.website) for o in sorted(taxonomy.organizations.values(), key=lambda o: o.slug)],
    }


def _vary_numbers(text: str, rng: random.Random) -> str:
    return _NUMBER.sub(lambda m: fa(max(1, int(m.group().translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")))
                                        + rng.randint(-3, 10))), text)


def _title(base: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.30:
        return base
    if roll < 0.50:
        return f"{base} در استان {rng.choice(PROVINCES)}"
    if roll < 0.62:
        return f"{base} {rng.choice(AUDIENCE_PHRASES)}"
    if roll < 0.74:
        return f"{rng.choice(VARIANT_WORDS)} {base}"
    if roll < 0.86:
        return f"{base} (سال {fa(rng.randint(1398, 1404))})"
    if roll < 0.94:
        return f"{base} - شهرستان {rng.choice(CITIES)}"
    return f"{base} نوبت {fa(rng.randint(1, 40))}"


def _pick(rng: random.Random, own: list[str], pool: list[str], low: int, high: int, foreign: float) -> list[str]:
    n = rng.randint(low, high)
    out: list[str] = []
    for _ in range(n * 3):
        if len(out) >= n:
            break
        source = pool if (not own or rng.random() < foreign) else own
        item = rng.choice(source)
        if item not in out:
            out.append(item)
    return out


def make_record(i: int, rng: random.Random, pools: dict) -> dict:
    records = pools["records"]
    base = rng.choice(records)
    other = rng.choice(records)
    record = dict(base)
    record["id"] = f"svc-{ID_BASE + i}"
    record["title"] = _title(base["title"], rng)
    if rng.random() < 0.2:
        record["organization"], record["organization_website"] = rng.choice(pools["orgs"])
    if rng.random() < 0.25:
        record["topics"] = list(dict.fromkeys(base["topics"][:1] + other["topics"][:1]))
        record["clusters"] = list(dict.fromkeys(base["clusters"][:1] + other["clusters"][:1]))
    # text lengths: mostly 2–4 sentences, sometimes a long page of them
    own = [s for s in _SENTENCE.split(base["description"]) if s.strip()]
    n_sentences = rng.choice((2, 2, 3, 3, 3, 4, 4, 6, 10, 18))
    sentences = _pick(rng, own, pools["sentences"], n_sentences, n_sentences, 0.35)
    if rng.random() < 0.4:
        sentences = [_vary_numbers(s, rng) for s in sentences]
    if rng.random() < 0.3:
        sentences.append(f"این خدمت در استان {rng.choice(PROVINCES)} نیز ارائه می‌شود.")
    record["description"] = " ".join(sentences)[:4900]
    record["steps"] = _pick(rng, base["steps"], pools["steps"], 3, 7, 0.2)
    record["documents"] = _pick(rng, base["documents"], pools["documents"], 0, 5, 0.3)
    aliases = _pick(rng, base["aliases"], pools["aliases"], 2, 5, 0.15)
    if rng.random() < 0.2:
        aliases[-1] = f"{aliases[-1]} {rng.choice(CITIES)}"
    record["aliases"] = aliases
    if rng.random() < 0.3:
        record["fee"] = f"{fa(rng.randint(1, 500) * 10_000)} ریال"
    if rng.random() < 0.3:
        record["duration"] = f"{fa(rng.randint(1, 30))} روز کاری"
    return record


def write_part(args: tuple[Path, int, int, int, int]) -> int:
    path, seed, part, start, count = args
    pools = load_pools(DATA)
    rng = random.Random(f"{seed}:{part}")
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(start, start + count):
            out.write(json.dumps(make_record(i, rng, pools), ensure_ascii=False) + "\n")
    tmp.replace(path)
    return count


def default_out(docs: int, seed: int) -> Path:
    return ROOT / ".cache" / "catalog" / f"n{docs}-s{seed}"


def generate(docs: int, out: Path | None = None, seed: int = 1405, per_part: int = 50_000,
             jobs: int = 2, quiet: bool = False) -> Path:
    out = out or default_out(docs, seed)
    done = out / "COMPLETE"
    if done.is_file() and done.read_text().strip() == f"{docs} {seed} {per_part}":
        if not quiet:
            print(f"gen: reusing {out} ({docs} records)", flush=True)
        return out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.jsonl"):
        old.unlink()
    for name in ("taxonomy.json", "organizations.json", "best_bets.json"):
        if (DATA / name).is_file():
            shutil.copy(DATA / name, out / name)
    tasks = []
    for part, start in enumerate(range(0, docs, per_part), start=1):
        tasks.append((out / f"part-{part:05d}.jsonl", seed, part, start, min(per_part, docs - start)))
    began = time.perf_counter()
    written = 0
    with ProcessPoolExecutor(max(1, jobs)) as pool:
        for n in pool.map(write_part, tasks):
            written += n
            if not quiet:
                print(f"gen: {written}/{docs} records ({time.perf_counter() - began:.0f} s)", flush=True)
    done.write_text(f"{docs} {seed} {per_part}\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=None, help="default .cache/catalog/n<docs>-s<seed>")
    parser.add_argument("--seed", type=int, default=1405)
    parser.add_argument("--per-part", type=int, default=50_000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    out = generate(args.docs, args.out, args.seed, args.per_part, args.jobs)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
