#!/usr/bin/env python3
"""Checks data/demo/rights.jsonl and data/demo/warnings.jsonl for the demo conventions.

Usage:
  python3 data/demo/check_rights_warnings.py [--dir DIR]   check DIR (default: this folder)
  python3 data/demo/check_rights_warnings.py --self-test   break copies one rule at a time
                                                           and make sure each is caught

Standard library only. The rules make the files safe to ship as demo data (the Rust
readers check the formats themselves):

* line 1 is a header with the file's "faro" kind and "demo": true; every record says
  "demo": true; every line is one JSON object; ids are unique;
* every article title, in every language it has, ends with the demo marker of that
  language ("(demo — to be reviewed by lawyers)", ...); a language without a known marker
  is an error, so a new language comes with its marker;
* across the articles, titles and summaries exist in at least es, en, fr, ht and pt;
* every warning headline, in every language, ends with "(demo)" or "(démo)"; names used
  end with " (demo)"; handles contain "demo", so that none is a real person's account;
* warning phone indicators only in the fictional range +1 NXX 555-0100..0199, written
  with +1 or 001 (or as a wa.me / tel: link to such a number);
* domains, e-mails, the issuer's sender and URL only under .example, .invalid or
  example.org;
* related listings exist in listings.jsonl.

Every problem is printed as FILE:LINE: FIELD: what is wrong. Exit status 0 when all pass,
1 otherwise.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent

# The demo marker at the end of an article title, per language.
TITLE_MARKERS = {
    "es": "(demo — para revisión por abogados)",
    "en": "(demo — to be reviewed by lawyers)",
    "fr": "(démo — à faire relire par des juristes)",
    "ht": "(demo — avoka dwe revize l)",
    "pt": "(demo — a ser revisado por advogados)",
}
REQUIRED_LANGS = ("es", "en", "fr", "ht", "pt")
HEADLINE_MARKERS = ("(demo)", "(démo)")

# +1, then an area code NXX, then 555-01XX: the range set aside for fiction.
FICTIONAL_PHONE = re.compile(r"^(?:\+|00)?1[2-9]\d{2}55501\d{2}$")
DEMO_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)*(?:[a-z0-9-]+\.example|[a-z0-9-]+\.invalid|example\.org)$")


class Checker:
    def __init__(self):
        self.problems: list[str] = []

    def err(self, file: Path, line: int | None, field: str, message: str):
        where = f"{file}:{line}" if line is not None else f"{file} (all records)"
        self.problems.append(f"{where}: {field}: {message}")

    def lines(self, path: Path, kind: str):
        """Yields (line number, record) after checking the header; records are objects."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            self.err(path, None, "file", f"cannot read: {e.strerror}")
            return
        raw = text.split("\n")
        if raw and raw[-1] == "":
            raw.pop()
        if not raw:
            self.err(path, 1, "header", "empty file")
            return
        seen: dict[str, int] = {}
        for n, line in enumerate(raw, start=1):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                self.err(path, n, "line", f"not JSON: {e.msg} at column {e.colno}")
                continue
            if not isinstance(obj, dict):
                self.err(path, n, "line", "must be one JSON object")
                continue
            if n == 1:
                if obj.get("faro") != kind:
                    self.err(path, n, "faro", f"header must say \"faro\": {kind!r}")
                if obj.get("demo") is not True:
                    self.err(path, n, "demo", "header must say \"demo\": true")
                continue
            rid = obj.get("id")
            if not isinstance(rid, str) or not rid.startswith("demo:"):
                self.err(path, n, "id", f"{rid!r}: demo ids start with 'demo:'")
            elif rid in seen:
                self.err(path, n, "id", f"{rid!r} already on line {seen[rid]}")
            else:
                seen[rid] = n
            if obj.get("demo") is not True:
                self.err(path, n, "demo", "every record must say \"demo\": true")
            yield n, obj

    # ------------------------------------------------------------------ rights

    def rights(self, path: Path):
        langs_seen = {"title": set(), "summary": set()}
        for n, art in self.lines(path, "rights"):
            title = art.get("title")
            if not isinstance(title, dict) or not title:
                self.err(path, n, "title", "needs a title in at least one language")
                continue
            for lang, text in title.items():
                marker = TITLE_MARKERS.get(lang)
                if marker is None:
                    self.err(path, n, f"title.{lang}", f"no demo marker known for {lang!r}: add one to TITLE_MARKERS")
                elif not isinstance(text, str) or not text.rstrip().endswith(marker):
                    self.err(path, n, f"title.{lang}", f"must end with {marker!r} (demo content to be reviewed by lawyers)")
            for field in langs_seen:
                if isinstance(art.get(field), dict):
                    langs_seen[field].update(k for k, v in art[field].items() if isinstance(v, str) and v.strip())
        for field, seen in langs_seen.items():
            missing = [lang for lang in REQUIRED_LANGS if lang not in seen]
            if missing:
                self.err(path, None, field, f"no article has a {field} in {', '.join(missing)}")

    # ------------------------------------------------------------------ warnings

    def phone(self, path: Path, n: int, field: str, value):
        if not isinstance(value, str):
            self.err(path, n, field, "must be a string")
            return
        text = value.strip().lower()
        for prefix in ("tel:", "sms:"):
            if text.startswith(prefix):
                text = text[len(prefix):]
        if "wa.me/" in text or "whatsapp.com" in text:
            url = urlsplit(text if "://" in text else "https://" + text)
            number = parse_qs(url.query).get("phone", [""])[0] if "whatsapp.com" in url.netloc else url.path.strip("/")
            text = "+" + number.lstrip("+")
        compact = "".join(c for c in text if c.isdigit() or c == "+")
        if not FICTIONAL_PHONE.match(compact):
            self.err(path, n, field, f"{value!r} is not in the fictional range +1 NXX 555-0100..0199 (written with +1)")

    def domain(self, path: Path, n: int, field: str, value, what: str):
        if not isinstance(value, str):
            self.err(path, n, field, "must be a string")
            return
        text = value.strip().lower()
        if what == "email":
            host = text.rpartition("@")[2]
        else:
            host = urlsplit(text if "://" in text else "https://" + text).hostname or ""
        if host.startswith("www."):
            host = host[4:]
        if not DEMO_DOMAIN.match(host):
            self.err(path, n, field, f"{value!r}: demo {what}s are under .example, .invalid or example.org")

    def warnings(self, path: Path, listing_ids: set[str] | None):
        for n, w in self.lines(path, "warnings"):
            headline = w.get("headline")
            if not isinstance(headline, dict) or not headline:
                self.err(path, n, "headline", "needs a headline in at least one language")
            else:
                for lang, text in headline.items():
                    if not isinstance(text, str) or not text.rstrip().endswith(HEADLINE_MARKERS):
                        self.err(path, n, f"headline.{lang}", "must end with (demo) or (démo)")
            ind = w.get("indicators", {})
            if not isinstance(ind, dict):
                self.err(path, n, "indicators", "must be an object")
                ind = {}
            for i, p in enumerate(ind.get("phones", [])):
                self.phone(path, n, f"indicators.phones[{i}]", p)
            for i, d in enumerate(ind.get("domains", [])):
                self.domain(path, n, f"indicators.domains[{i}]", d, "domain")
            for i, e in enumerate(ind.get("emails", [])):
                self.domain(path, n, f"indicators.emails[{i}]", e, "email")
            for i, h in enumerate(ind.get("handles", [])):
                handle = h.get("handle") if isinstance(h, dict) else None
                if not isinstance(handle, str) or "demo" not in handle.lower():
                    self.err(path, n, f"indicators.handles[{i}].handle", f"{handle!r} must contain 'demo' (no real account)")
            for i, name in enumerate(ind.get("names", [])):
                if not isinstance(name, str) or not name.endswith(" (demo)"):
                    self.err(path, n, f"indicators.names[{i}]", f"{name!r} must end with ' (demo)'")
            issuer = w.get("issuer", {})
            if isinstance(issuer, dict):
                if "sender" in issuer:
                    self.domain(path, n, "issuer.sender", issuer["sender"], "email")
                if "url" in issuer:
                    self.domain(path, n, "issuer.url", issuer["url"], "web address")
            if listing_ids is not None:
                for i, lid in enumerate(w.get("related_listings", [])):
                    if lid not in listing_ids:
                        self.err(path, n, f"related_listings[{i}]", f"{lid!r} is not in listings.jsonl")


def listing_ids(path: Path) -> set[str] | None:
    if not path.exists():
        return None
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        try:
            ids.add(json.loads(line).get("id"))
        except (json.JSONDecodeError, AttributeError):
            pass  # check_listings.py reports it
    return ids


def check(folder: Path) -> list[str]:
    c = Checker()
    c.rights(folder / "rights.jsonl")
    c.warnings(folder / "warnings.jsonl", listing_ids(folder / "listings.jsonl"))
    return c.problems


# ------------------------------------------------------------------ self-test

def edit_record(file: str, line: int, change):
    """A breakage: `change(record)` applied to the record on `line` of `file`."""
    def apply(folder: Path):
        path = folder / file
        lines = path.read_text(encoding="utf-8").split("\n")
        record = json.loads(lines[line - 1])
        change(record)
        lines[line - 1] = json.dumps(record, ensure_ascii=False)
        path.write_text("\n".join(lines), encoding="utf-8")
    return apply


def drop_lang(lang: str):
    def change(r):
        for field in ("title", "summary", "body"):
            r.get(field, {}).pop(lang, None)
    return change


def drop_lang_everywhere(lang: str):
    def apply(folder: Path):
        path = folder / "rights.jsonl"
        lines = path.read_text(encoding="utf-8").split("\n")
        for i in range(1, len(lines)):
            if lines[i].strip():
                r = json.loads(lines[i])
                drop_lang(lang)(r)
                lines[i] = json.dumps(r, ensure_ascii=False)
        path.write_text("\n".join(lines), encoding="utf-8")
    return apply


def set_path(path: str, value):
    keys = path.split(".")

    def change(r):
        target = r
        for k in keys[:-1]:
            target = target[int(k)] if isinstance(target, list) else target[k]
        last = keys[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return change


def append_line(file: str, text: str):
    def apply(folder: Path):
        with open(folder / file, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return apply


# (what is broken, breakage, text the report must contain: file:line: field)
BREAKAGES = [
    ("rights header not demo", edit_record("rights.jsonl", 1, set_path("demo", False)), "rights.jsonl:1: demo:"),
    ("warnings header not demo", edit_record("warnings.jsonl", 1, lambda r: r.pop("demo")), "warnings.jsonl:1: demo:"),
    ("article not demo", edit_record("rights.jsonl", 3, set_path("demo", False)), "rights.jsonl:3: demo:"),
    ("warning not demo", edit_record("warnings.jsonl", 2, lambda r: r.pop("demo")), "warnings.jsonl:2: demo:"),
    ("title without marker", edit_record("rights.jsonl", 2, set_path("title.fr", "Votre droit à l'assistance consulaire")),
     "rights.jsonl:2: title.fr:"),
    ("title with another language's marker",
     edit_record("rights.jsonl", 4, set_path("title.pt", "Ninguém pode devolvê-lo (demo — to be reviewed by lawyers)")),
     "rights.jsonl:4: title.pt:"),
    ("title in a language with no marker", edit_record("rights.jsonl", 5, set_path("title.de", "Wenn Sie festgenommen werden")),
     "rights.jsonl:5: title.de:"),
    ("Haitian Creole missing everywhere", drop_lang_everywhere("ht"), "rights.jsonl (all records): title: no article has a title in ht"),
    ("real-looking phone", edit_record("warnings.jsonl", 2, set_path("indicators.phones.0", "+52 962 123 4567")),
     "warnings.jsonl:2: indicators.phones[0]:"),
    ("US number outside 555-01XX", edit_record("warnings.jsonl", 4, set_path("indicators.phones.0", "+1 915 555 1234")),
     "warnings.jsonl:4: indicators.phones[0]:"),
    ("WhatsApp link to a real-looking number",
     edit_record("warnings.jsonl", 2, set_path("indicators.phones.1", "https://wa.me/529621234567")),
     "warnings.jsonl:2: indicators.phones[1]:"),
    ("real domain", edit_record("warnings.jsonl", 4, set_path("indicators.domains.0", "empleos-frontera.com")),
     "warnings.jsonl:4: indicators.domains[0]:"),
    ("domain that only starts like example", edit_record("warnings.jsonl", 2, set_path("indicators.domains.0", "example.org.evil.com")),
     "warnings.jsonl:2: indicators.domains[0]:"),
    ("real e-mail domain", edit_record("warnings.jsonl", 4, set_path("indicators.emails.0", "rh@gmail.com")),
     "warnings.jsonl:4: indicators.emails[0]:"),
    ("issuer url off example", edit_record("warnings.jsonl", 3, set_path("issuer.url", "https://acnur.org/alertas")),
     "warnings.jsonl:3: issuer.url:"),
    ("real-looking handle", edit_record("warnings.jsonl", 2, set_path("indicators.handles.0.handle", "@consulado.citas")),
     "warnings.jsonl:2: indicators.handles[0].handle:"),
    ("headline without (demo)", edit_record("warnings.jsonl", 3, set_path("headline.es", "Crecida del río Suchiate")),
     "warnings.jsonl:3: headline.es:"),
    ("unknown related listing", edit_record("warnings.jsonl", 5, set_path("related_listings.0", "demo:nowhere-legal-01")),
     "warnings.jsonl:5: related_listings[0]:"),
    ("duplicate id", append_line("warnings.jsonl", json.dumps({"id": "demo:w-suchiate-crossing", "demo": True,
                                                                 "headline": {"es": "Copia (demo)"}})),
     "warnings.jsonl:7: id:"),
    ("broken JSON line", append_line("rights.jsonl", '{"id": "demo:x", '), "rights.jsonl:18: line: not JSON"),
]


def self_test() -> int:
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "pristine"
        pristine.mkdir()
        for name in ("rights.jsonl", "warnings.jsonl", "listings.jsonl"):
            shutil.copy(HERE / name, pristine / name)
        if check(pristine):
            failures.append(f"the shipped files do not pass: {check(pristine)[:3]}")
        for i, (what, breakage, expected) in enumerate(BREAKAGES):
            folder = Path(tmp) / f"broken{i}"
            shutil.copytree(pristine, folder)
            breakage(folder)
            problems = [p.replace(f"{folder}/", "") for p in check(folder)]
            if not any(expected in p for p in problems):
                failures.append(f"{what}: expected a problem starting {expected!r}, got {problems or 'none'}")
            # The script's own exit status, as test-all.sh sees it.
            elif main(["--dir", str(folder)], quiet=True) != 1:
                failures.append(f"{what}: exit status is not 1")
    for f in failures:
        print("SELF-TEST FAILED:", f)
    if failures:
        return 1
    print(f"OK: self-test, {len(BREAKAGES)} broken copies each caught with file, line and field")
    return 0


def main(argv, quiet=False) -> int:
    if argv[:1] == ["--self-test"]:
        return self_test()
    folder = Path(argv[1]) if argv[:1] == ["--dir"] and len(argv) > 1 else HERE
    problems = check(folder)
    if problems:
        if not quiet:
            for p in problems:
                print(p)
            print(f"FAILED: {len(problems)} problem(s) in {folder}/rights.jsonl and warnings.jsonl")
        return 1
    if not quiet:
        print(f"OK: {folder}/rights.jsonl and {folder}/warnings.jsonl follow the demo conventions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
