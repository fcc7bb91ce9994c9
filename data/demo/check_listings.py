#!/usr/bin/env python3
"""Checks data/demo/listings.jsonl, the invented "demo/route" dataset.

Usage: python3 data/demo/check_listings.py [path/to/listings.jsonl]

Standard library only. It mirrors the `Listing` struct in core/src/model/mod.rs (field
names, `deny_unknown_fields`, the snake_case codes of the `code_enum!` blocks) and adds the
rules that make the file safe to ship as demo data:

* every name and organization name, in every language, ends with " (demo)";
* phone numbers only on US listings, and only in the fictional +1 NXX 555-01XX range;
* e-mails only @example.org, web sites only https://example.org/..., social handles "@demo_...";
* every listing has a location within ~30 km of its town (small table below) and on the
  right side of the border where a border runs through the urban area;
* opening_hours and timezone come together; the timezone is the town's;
* the language and coverage targets the demo relies on (ht/fr/pt counts, Tapachula legal aid
  in Haitian Creole open on weekdays, free clinics near Tapachula, every kind in Ciudad
  Juárez and Tijuana).

Exit status 0 when everything passes, 1 otherwise (every problem is printed).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

# ------------------------------------------------------------------ the Rust model, restated

LISTING_FIELDS = {
    "id", "kind", "services", "name", "organization", "description", "consulate", "location",
    "address", "phones", "emails", "websites", "social", "opening_hours", "timezone",
    "languages", "cost", "serves", "eligibility", "accessibility", "status", "status_note",
    "verified", "source", "demo",
}
CONSULATE_FIELDS = {"represents", "mission_type", "services"}
LOCATION_FIELDS = {"lat", "lon"}
ADDRESS_FIELDS = {"street", "locality", "region", "postal_code", "country"}
PHONE_FIELDS = {"number", "kind", "note"}
SOCIAL_FIELDS = {"network", "handle"}
ELIGIBILITY_FIELDS = {"papers_required", "migration_status", "note"}
VERIFICATION_FIELDS = {"by", "on"}
SOURCE_FIELDS = {"name", "url", "license", "date"}
HEADER_FIELDS = {"faro", "version", "dataset", "demo", "source", "note"}

KINDS = {"consulate", "legal_aid", "health", "shelter"}
SERVICE_CODES = {
    "asylum_help", "detention_support", "id_documents", "repatriation", "legal_advice",
    "legal_representation", "trafficking_victim_support", "emergency_care", "primary_care",
    "sexual_reproductive_health", "mental_health", "vaccination", "gbv_support",
    "child_protection", "shelter", "food", "family_contact", "family_tracing", "humanitarian_aid",
}
AUDIENCES = {"everyone", "women", "children", "unaccompanied_minors", "families", "lgbtq", "men"}
COSTS = {"free", "low_cost", "paid"}
STATUSES = {"active", "temporarily_closed", "closed"}
PHONE_KINDS = {"voice", "whatsapp", "sms", "hotline", "fax"}
ACCESSIBILITY = {"wheelchair", "sign_language", "interpretation", "accessible_toilet", "literacy_support"}
MIGRATION_STATUSES = {"asylum_seeker", "refugee", "migrant", "returnee", "stateless"}

EXPECTED_HEADER = {
    "faro": "listings",
    "version": 1,
    "dataset": "demo/route",
    "demo": True,
    "source": {"name": "Faro demo data (invented)", "license": "CC0-1.0", "date": "2026-11-27"},
    "note": "DEMO DATA: invented organizations and contacts for demonstrations and tests; not real services.",
}

# ------------------------------------------------------------------ towns

# id slug -> (locality, country, IANA zone, approximate centre lat, lon)
TOWNS = {
    "tapachula": ("Tapachula", "MX", "America/Mexico_City", 14.9066, -92.2636),
    "ciudad-hidalgo": ("Ciudad Hidalgo", "MX", "America/Mexico_City", 14.6794, -92.1506),
    "tecun-uman": ("Tecún Umán", "GT", "America/Guatemala", 14.6744, -92.1420),
    "ciudad-de-guatemala": ("Ciudad de Guatemala", "GT", "America/Guatemala", 14.6418, -90.5132),
    "san-pedro-sula": ("San Pedro Sula", "HN", "America/Tegucigalpa", 15.5049, -88.0250),
    "tegucigalpa": ("Tegucigalpa", "HN", "America/Tegucigalpa", 14.1058, -87.2045),
    "san-salvador": ("San Salvador", "SV", "America/El_Salvador", 13.6980, -89.1910),
    "managua": ("Managua", "NI", "America/Managua", 12.1328, -86.2504),
    "san-jose-cr": ("San José", "CR", "America/Costa_Rica", 9.9330, -84.0795),
    # Darién villages: approximate positions (no precise public gazetteer entry was at hand).
    "bajo-chiquito": ("Bajo Chiquito", "PA", "America/Panama", 8.3240, -77.5670),
    "lajas-blancas": ("Lajas Blancas", "PA", "America/Panama", 8.3700, -77.8300),
    "meteti": ("Metetí", "PA", "America/Panama", 8.4991, -77.9790),
    "necocli": ("Necoclí", "CO", "America/Bogota", 8.4262, -76.7843),
    "cdmx": ("Ciudad de México", "MX", "America/Mexico_City", 19.4326, -99.1332),
    "monterrey": ("Monterrey", "MX", "America/Monterrey", 25.6714, -100.3092),
    "ciudad-juarez": ("Ciudad Juárez", "MX", "America/Ciudad_Juarez", 31.7383, -106.4870),
    "tijuana": ("Tijuana", "MX", "America/Tijuana", 32.5320, -117.0370),
    "reynosa": ("Reynosa", "MX", "America/Matamoros", 26.0922, -98.2777),
    "matamoros": ("Matamoros", "MX", "America/Matamoros", 25.8797, -97.5042),
    "el-paso": ("El Paso", "US", "America/Denver", 31.7592, -106.4877),
    "san-diego": ("San Diego", "US", "America/Los_Angeles", 32.7157, -117.1611),
}
MAX_KM_FROM_CENTRE = 30.0

# Conservative "right side of the border" tests for towns that face another country.
BORDER_SIDE = {
    "tijuana": ("lat", "<", 32.540),
    "san-diego": ("lat", ">", 32.545),
    "ciudad-juarez": ("lat", "<", 31.748),
    "el-paso": ("lat", ">", 31.752),
    "reynosa": ("lat", "<", 26.097),
    "matamoros": ("lat", "<", 25.880),
    "ciudad-hidalgo": ("lon", "<", -92.148),
    "tecun-uman": ("lon", ">", -92.144),
}

# Towns where every listing carries Haitian Creole and French text.
HT_FR_TOWNS = {"tapachula", "ciudad-hidalgo", "tijuana", "ciudad-juarez", "necocli",
               "bajo-chiquito", "lajas-blancas", "meteti"}

# ------------------------------------------------------------------ targets

MIN_WITH_LANG = {"ht": 20, "fr": 20, "pt": 10}
EXPECTED_STATUS = {"temporarily_closed": 3, "closed": 1}
NO_HOURS_RANGE = (6, 12)          # "about 8" listings with unknown hours
TOTAL_RANGE = (60, 80)            # "about 70" listings
VERIFIED_BY = "Faro demo team"

# Words that real searches use; each must occur somewhere in the file's texts.
SEARCH_WORDS = ["asesoría jurídica", "refugio", "COMAR", "asilo", "salud", "vacunas", "albergue",
                "aide juridique", "santé", "lojman", "azil", "abri", "klinik", "asistans legal"]

# Common accent slips, per language (matched as whole words, case-sensitive variants listed).
MISSPELLINGS = {
    "es": ["Juridica", "juridica", "Juridico", "juridico", "atencion", "Atencion", "Migracion",
           "migracion", "ninez", "ninos", "asesoria", "Asesoria", "vacunacion", "Clinica", "clinica",
           "medico", "psicologica", "proteccion", "busqueda", "dias", "Ciudad Juarez", "Tecun Uman",
           "Necocli", "Meteti"],
    "fr": ["Sante", "sante", "refugie", "refugies", "medecin", "medecine", "medicaux", "a l'", "etre"],
    "pt": ["saude", "Saude", "refugio", "juridica", "Juridica", "criancas", "atencao", "orientacao"],
    "ht": ["sante mentale", "aide", "Santé", "juridique"],
}

# ------------------------------------------------------------------ helpers

ID_RE = re.compile(r"^demo:([a-z]+(?:-[a-z]+)*)-(legal|health|shelter)-(\d{2})$")
KIND_OF_SLUG = {"legal": "legal_aid", "health": "health", "shelter": "shelter"}
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$")
US_FICTIONAL_PHONE_RE = re.compile(r"^\+1\d{3}55501\d\d$")
EMAIL_RE = re.compile(r"^[a-z0-9._+-]+@example\.org$")
WEBSITE_RE = re.compile(r"^https://example\.org(/[A-Za-z0-9._~/-]*)?$")
HANDLE_RE = re.compile(r"^@demo_[a-z0-9_]+$")
NETWORK_RE = re.compile(r"^[a-z]+$")
PHONE_LIKE_IN_TEXT = re.compile(r"\+\d|\d[\d .-]{6,}\d")
TZ_RE = re.compile(r"^(America|Etc|UTC)(/[A-Za-z_]+)+$")

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_TIME = r"(?:[01]\d|2[0-4]):[0-5]\d"
_SPAN = rf"{_TIME}-{_TIME}"
_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_NTH = r"(?:\[(?:[1-5]|-1)(?:,(?:[1-5]|-1))*\])"
_DAYSEL = rf"(?:{_DAY}(?:-{_DAY}|{_NTH})?|PH|SH)"
RULE_RE = re.compile(
    rf"^(?:(?P<days>{_DAYSEL}(?:,{_DAYSEL})*) )?"
    rf"(?:(?P<times>{_SPAN}(?:,{_SPAN})*)|(?P<off>off|closed))"
    rf'(?: "(?P<comment>[^"]+)")?$'
)


def km(lat1, lon1, lat2, lon2):
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def parse_hours(expr):
    """Parses the OSM opening_hours subset used here.

    Returns a list of rules (days or None, nth_only, spans or None for off), or raises
    ValueError. Supported: "24/7"; rules separated by "; "; weekday lists and ranges,
    nth-weekday selectors (Mo[1]), PH/SH, comma-separated time spans (end may pass midnight),
    "off", and a trailing "comment".
    """
    if expr == "24/7":
        return [(set(DAYS), False, [(0, 24 * 60)])]
    rules = []
    for part in expr.split("; "):
        m = RULE_RE.match(part)
        if not m:
            raise ValueError(f"rule {part!r} is not in the supported opening_hours syntax")
        days, nth_only, holiday_only = set(), False, False
        if m.group("days"):
            for sel in m.group("days").split(","):
                if sel in ("PH", "SH"):
                    holiday_only = True
                    continue
                if "[" in sel:
                    nth_only = True
                    sel = sel.split("[")[0]
                if "-" in sel:
                    a, b = sel.split("-")
                    i, j = DAYS.index(a), DAYS.index(b)
                    rng = range(i, j + 1) if i <= j else list(range(i, 7)) + list(range(0, j + 1))
                    days.update(DAYS[k] for k in rng)
                else:
                    days.add(sel)
        else:
            days = set(DAYS)
        if holiday_only and not days:
            rules.append((None, False, None))  # holiday rule: no effect on ordinary days
            continue
        spans = None
        if m.group("times"):
            spans = []
            for span in m.group("times").split(","):
                a, b = span.split("-")
                start = int(a[:2]) * 60 + int(a[3:])
                end = int(b[:2]) * 60 + int(b[3:])
                if end == start:
                    raise ValueError(f"empty time span {span!r}")
                if end < start:
                    end += 24 * 60  # wraps past midnight
                spans.append((start, end))
        rules.append((days, nth_only, spans))
    return rules


def open_every_week_on(rules, day, minute):
    """True if open on every `day` (weekday code) at `minute` (ordinary week, no holidays).

    OSM semantics for the subset: a later rule naming a day replaces earlier rules for it;
    nth-weekday rules (Mo[1]) hold only some weeks, so they never count as "every week".
    """
    state = False
    for days, nth_only, spans in rules:
        if days is None or day not in days:
            continue
        if nth_only:
            state = False
            continue
        state = spans is not None and any(s <= minute < e for s, e in spans)
    return state


# ------------------------------------------------------------------ the check

class Checker:
    def __init__(self):
        self.problems = []

    def err(self, where, msg):
        self.problems.append(f"{where}: {msg}")

    def localized(self, where, value, *, required=(), demo_suffix=False):
        if not isinstance(value, dict) or not value:
            self.err(where, "must be a non-empty object keyed by language tag")
            return {}
        for lang, text in value.items():
            if not LANG_RE.match(lang):
                self.err(f"{where}.{lang}", "key is not a BCP 47 language tag in canonical case")
            if not isinstance(text, str) or not text.strip():
                self.err(f"{where}.{lang}", "must be a non-blank string")
                continue
            if text != text.strip() or "  " in text:
                self.err(f"{where}.{lang}", "has stray spaces")
            if demo_suffix and not text.endswith(" (demo)"):
                self.err(f"{where}.{lang}", f"{text!r} does not end with ' (demo)'")
            if PHONE_LIKE_IN_TEXT.search(text.replace("24/7", "")):
                for m in PHONE_LIKE_IN_TEXT.finditer(text):
                    if len(re.sub(r"\D", "", m.group())) >= 7:
                        self.err(f"{where}.{lang}", f"looks like it contains a phone number: {m.group()!r}")
            for bad in MISSPELLINGS.get(lang.split("-")[0], []):
                if re.search(rf"(?<![\w'’]){re.escape(bad)}(?![\w])", text):
                    self.err(f"{where}.{lang}", f"accent slip or wrong language: {bad!r}")
        for lang in required:
            if lang not in value:
                self.err(where, f"missing language {lang!r}")
        return value

    def keys(self, where, obj, allowed):
        if not isinstance(obj, dict):
            self.err(where, "must be an object")
            return False
        extra = set(obj) - allowed
        if extra:
            self.err(where, f"unknown field(s) {sorted(extra)} (the Rust struct denies unknown fields)")
        return True

    def codes(self, where, values, allowed, *, unique=True):
        if not isinstance(values, list):
            self.err(where, "must be a list")
            return []
        for v in values:
            if v not in allowed:
                self.err(where, f"{v!r} is not a valid code")
        if unique and len(set(values)) != len(values):
            self.err(where, "has duplicates")
        return values

    def date(self, where, value):
        try:
            return _dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.err(where, f"{value!r} is not a YYYY-MM-DD date")
            return None

    def run(self, path):
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        else:
            self.err(path, "must end with a newline")
        if not lines:
            self.err(path, "is empty")
            return []

        # Header.
        try:
            header = json.loads(lines[0])
        except json.JSONDecodeError as e:
            self.err("line 1", f"header is not valid JSON: {e}")
            header = None
        if header is not None:
            self.keys("line 1 (header)", header, HEADER_FIELDS)
            if header != EXPECTED_HEADER:
                self.err("line 1 (header)", f"expected {json.dumps(EXPECTED_HEADER, ensure_ascii=False)}")

        listings = []
        seen_ids = set()
        for n, line in enumerate(lines[1:], start=2):
            where = f"line {n}"
            if not line.strip():
                self.err(where, "blank line")
                continue
            if line != line.strip() or "\n" in line:
                self.err(where, "stray whitespace: one compact JSON object per line")
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                self.err(where, f"not valid JSON: {e}")
                continue
            if not isinstance(rec, dict):
                self.err(where, "is not a JSON object")
                continue
            where = f"line {n} ({rec.get('id', '?')})"
            self.listing(where, rec, seen_ids)
            listings.append(rec)
        self.dataset(listings)
        return listings

    def listing(self, where, rec, seen_ids):
        self.keys(where, rec, LISTING_FIELDS)
        for req in ("id", "kind", "name", "location", "address", "demo"):
            if req not in rec:
                self.err(where, f"missing {req!r}")

        # id, kind, town
        rid = rec.get("id", "")
        town = None
        m = ID_RE.match(rid) if isinstance(rid, str) else None
        if not m:
            self.err(where, "id must look like demo:<town>-<legal|health|shelter>-<nn>")
        else:
            town, slug, _ = m.groups()
            if town not in TOWNS:
                self.err(where, f"unknown town {town!r} in id (add it to TOWNS)")
                town = None
            if rec.get("kind") != KIND_OF_SLUG[slug]:
                self.err(where, f"id says {slug!r} but kind is {rec.get('kind')!r}")
        if rid in seen_ids:
            self.err(where, "duplicate id")
        seen_ids.add(rid)
        if rec.get("kind") not in KINDS:
            self.err(where, f"kind {rec.get('kind')!r} is not valid")
        if rec.get("kind") == "consulate" or "consulate" in rec:
            self.err(where, "demo data must not invent consulates")
        if rec.get("demo") is not True:
            self.err(where, '"demo" must be true')

        # texts
        name = self.localized(f"{where} name", rec.get("name"), required=("es", "en"), demo_suffix=True)
        if "organization" in rec:
            self.localized(f"{where} organization", rec["organization"], required=("es", "en"), demo_suffix=True)
        desc = self.localized(f"{where} description", rec.get("description"), required=("es", "en"))
        if set(name) - set(desc):
            self.err(where, f"name has languages {sorted(set(name) - set(desc))} that the description lacks")
        if town in HT_FR_TOWNS:
            for lang in ("ht", "fr"):
                if lang not in name or lang not in desc:
                    self.err(where, f"listings in {TOWNS[town][0]} need {lang!r} name and description")

        self.codes(f"{where} services", rec.get("services", []), SERVICE_CODES)
        if not rec.get("services"):
            self.err(where, "services should not be empty in demo data")

        # location
        loc = rec.get("location")
        if self.keys(f"{where} location", loc, LOCATION_FIELDS):
            lat, lon = loc.get("lat"), loc.get("lon")
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
                self.err(where, "location.lat/lon must be numbers")
            elif not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
                self.err(where, f"location {lat},{lon} out of range")
            else:
                for v, axis in ((lat, "lat"), (lon, "lon")):
                    decimals = len(repr(float(v)).split(".")[1])
                    if not 5 <= decimals <= 6:
                        self.err(where, f"location.{axis} {v} should have 5 or 6 decimals")
                if town:
                    _, _, _, clat, clon = TOWNS[town]
                    d = km(lat, lon, clat, clon)
                    if d > MAX_KM_FROM_CENTRE:
                        self.err(where, f"location is {d:.1f} km from {TOWNS[town][0]} (max {MAX_KM_FROM_CENTRE})")
                    if town in BORDER_SIDE:
                        axis, op, limit = BORDER_SIDE[town]
                        v = lat if axis == "lat" else lon
                        if not (v < limit if op == "<" else v > limit):
                            self.err(where, f"location.{axis} {v} is on the wrong side of the border ({op} {limit})")

        # address
        addr = rec.get("address")
        if self.keys(f"{where} address", addr, ADDRESS_FIELDS):
            if "country" not in addr:
                self.err(where, "address.country is required")
            if "street" in addr:
                self.localized(f"{where} address.street", addr["street"])
            for f in ("locality", "region", "postal_code"):
                if f in addr and (not isinstance(addr[f], str) or not addr[f].strip()):
                    self.err(where, f"address.{f} must be a non-blank string")
            if town:
                locality, country, _, _, _ = TOWNS[town]
                if addr.get("locality") != locality:
                    self.err(where, f"address.locality {addr.get('locality')!r} != {locality!r}")
                if addr.get("country") != country:
                    self.err(where, f"address.country {addr.get('country')!r} != {country!r}")

        # contacts
        country = (addr or {}).get("country") if isinstance(addr, dict) else None
        for i, ph in enumerate(rec.get("phones", [])):
            w = f"{where} phones[{i}]"
            if not self.keys(w, ph, PHONE_FIELDS):
                continue
            if country != "US":
                self.err(w, "only US listings may have phone numbers in demo data")
            if not US_FICTIONAL_PHONE_RE.match(str(ph.get("number", ""))):
                self.err(w, f"{ph.get('number')!r} is not in the fictional +1 NXX 555-01XX range")
            if ph.get("kind", "voice") not in PHONE_KINDS:
                self.err(w, f"kind {ph.get('kind')!r} is not valid")
            if "note" in ph:
                self.localized(f"{w}.note", ph["note"])
        for i, e in enumerate(rec.get("emails", [])):
            if not isinstance(e, str) or not EMAIL_RE.match(e):
                self.err(f"{where} emails[{i}]", f"{e!r} must be an address @example.org")
        for i, u in enumerate(rec.get("websites", [])):
            if not isinstance(u, str) or not WEBSITE_RE.match(u):
                self.err(f"{where} websites[{i}]", f"{u!r} must start with https://example.org")
        for i, s in enumerate(rec.get("social", [])):
            w = f"{where} social[{i}]"
            if not self.keys(w, s, SOCIAL_FIELDS):
                continue
            if not NETWORK_RE.match(str(s.get("network", ""))):
                self.err(w, "network must be a lower-case name")
            if not HANDLE_RE.match(str(s.get("handle", ""))):
                self.err(w, f"handle {s.get('handle')!r} must look like @demo_...")

        # hours
        oh, tz = rec.get("opening_hours"), rec.get("timezone")
        if (oh is None) != (tz is None):
            self.err(where, "opening_hours and timezone go together")
        if tz is not None:
            if not isinstance(tz, str) or not TZ_RE.match(tz):
                self.err(where, f"timezone {tz!r} is not an IANA zone name")
            elif town and tz != TOWNS[town][2]:
                self.err(where, f"timezone {tz!r} should be {TOWNS[town][2]!r} for {TOWNS[town][0]}")
        if oh is not None:
            try:
                parse_hours(oh)
            except ValueError as e:
                self.err(where, f"opening_hours {oh!r}: {e}")

        # people
        for i, lang in enumerate(rec.get("languages", [])):
            if not isinstance(lang, str) or not LANG_RE.match(lang):
                self.err(f"{where} languages[{i}]", f"{lang!r} is not a canonical BCP 47 tag")
        if len(set(rec.get("languages", []))) != len(rec.get("languages", [])):
            self.err(where, "languages has duplicates")
        if "cost" in rec and rec["cost"] not in COSTS:
            self.err(where, f"cost {rec['cost']!r} is not valid")
        self.codes(f"{where} serves", rec.get("serves", []), AUDIENCES)
        self.codes(f"{where} accessibility", rec.get("accessibility", []), ACCESSIBILITY)
        if "eligibility" in rec:
            el = rec["eligibility"]
            if self.keys(f"{where} eligibility", el, ELIGIBILITY_FIELDS):
                if not el:
                    self.err(where, "eligibility is empty: leave it out instead")
                if "papers_required" in el and not isinstance(el["papers_required"], bool):
                    self.err(where, "eligibility.papers_required must be true or false")
                self.codes(f"{where} eligibility.migration_status", el.get("migration_status", []), MIGRATION_STATUSES)
                if "note" in el:
                    self.localized(f"{where} eligibility.note", el["note"], required=("es", "en"))

        # status and provenance
        status = rec.get("status", "active")
        if status not in STATUSES:
            self.err(where, f"status {status!r} is not valid")
        if status != "active":
            self.localized(f"{where} status_note", rec.get("status_note"), required=("es", "en"))
        elif "status_note" in rec:
            self.localized(f"{where} status_note", rec["status_note"])
        ver = rec.get("verified")
        if ver is None:
            self.err(where, "verified is required in demo data")
        elif self.keys(f"{where} verified", ver, VERIFICATION_FIELDS):
            if ver.get("by") != VERIFIED_BY:
                self.err(where, f"verified.by should be {VERIFIED_BY!r}")
            d = self.date(f"{where} verified.on", ver.get("on"))
            if d and not (_dt.date(2026, 10, 1) <= d <= _dt.date(2026, 10, 31)):
                self.err(where, "verified.on should be in October 2026")
        if "source" in rec and self.keys(f"{where} source", rec["source"], SOURCE_FIELDS):
            src = rec["source"]
            if not isinstance(src.get("name"), str) or not src["name"].strip():
                self.err(where, "source.name is required")
            if "url" in src and not WEBSITE_RE.match(str(src["url"])):
                self.err(where, "source.url must be on https://example.org")
            if "date" in src:
                self.date(f"{where} source.date", src["date"])

    def dataset(self, listings):
        n = len(listings)
        if not TOTAL_RANGE[0] <= n <= TOTAL_RANGE[1]:
            self.err("dataset", f"{n} listings; expected about 70 ({TOTAL_RANGE[0]}-{TOTAL_RANGE[1]})")

        def has(rec, lang):
            return lang in rec.get("name", {}) and lang in rec.get("description", {})

        for lang, minimum in MIN_WITH_LANG.items():
            count = sum(has(r, lang) for r in listings)
            if count < minimum:
                self.err("dataset", f"{count} listings with {lang!r} name and description; need {minimum}")

        statuses = Counter(r.get("status", "active") for r in listings)
        for status, want in EXPECTED_STATUS.items():
            if statuses[status] != want:
                self.err("dataset", f"{statuses[status]} listings {status}; expected {want}")

        no_hours = sum("opening_hours" not in r for r in listings)
        if not NO_HOURS_RANGE[0] <= no_hours <= NO_HOURS_RANGE[1]:
            self.err("dataset", f"{no_hours} listings without opening_hours; expected about 8")

        def town(rec):
            m = ID_RE.match(rec.get("id", ""))
            return m.group(1) if m else None

        def active(rec):
            return rec.get("status", "active") == "active"

        # Tapachula legal aid in Haitian Creole, open on every weekday at office hours.
        weekday_ht_legal = []
        for r in listings:
            if town(r) == "tapachula" and r.get("kind") == "legal_aid" and active(r) \
                    and has(r, "ht") and "ht" in r.get("languages", []) and "opening_hours" in r:
                try:
                    rules = parse_hours(r["opening_hours"])
                except ValueError:
                    continue
                if all(open_every_week_on(rules, d, 11 * 60) for d in DAYS[:5]):
                    weekday_ht_legal.append(r["id"])
        if len(weekday_ht_legal) < 3:
            self.err("dataset", f"Tapachula legal aid with ht, open Mo-Fr at 11:00: {weekday_ht_legal}; need 3")

        # Free health care within 5 km of central Tapachula.
        _, _, _, clat, clon = TOWNS["tapachula"]
        free_health = [r["id"] for r in listings
                       if r.get("kind") == "health" and r.get("cost") == "free" and active(r)
                       and km(r["location"]["lat"], r["location"]["lon"], clat, clon) <= 5.0]
        if len(free_health) < 3:
            self.err("dataset", f"free health listings within 5 km of Tapachula: {free_health}; need 3")

        for t in ("ciudad-juarez", "tijuana"):
            kinds = {r.get("kind") for r in listings if town(r) == t and active(r)}
            missing = {"legal_aid", "health", "shelter"} - kinds
            if missing:
                self.err("dataset", f"{TOWNS[t][0]} has no active listing of kind {sorted(missing)}")

        corpus = "\n".join(
            v for r in listings for field in ("name", "organization", "description")
            for v in r.get(field, {}).values()
        ).casefold()
        for word in SEARCH_WORDS:
            if word.casefold() not in corpus:
                self.err("dataset", f"no listing text contains {word!r}")


def summary(listings):
    by_town = Counter()
    by_kind = Counter(r["kind"] for r in listings)
    table = {}
    for r in listings:
        t = ID_RE.match(r["id"]).group(1)
        by_town[t] += 1
        table.setdefault(t, Counter())[r["kind"]] += 1
    print(f"{len(listings)} listings: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())))
    for t in TOWNS:
        if t in table:
            c = table[t]
            print(f"  {TOWNS[t][0]:<22} {by_town[t]:>2}  (legal_aid {c['legal_aid']}, health {c['health']}, shelter {c['shelter']})")
    for lang in ("es", "en", "ht", "fr", "pt"):
        n = sum(lang in r["name"] and lang in r.get("description", {}) for r in listings)
        print(f"  texts in {lang}: {n}")
    statuses = Counter(r.get("status", "active") for r in listings)
    print("  status: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print(f"  without opening_hours: {sum('opening_hours' not in r for r in listings)}")


def main(argv):
    path = argv[1] if len(argv) > 1 else str(Path(__file__).with_name("listings.jsonl"))
    checker = Checker()
    listings = checker.run(path)
    if checker.problems:
        for p in checker.problems:
            print(p)
        print(f"FAILED: {len(checker.problems)} problem(s) in {path}")
        return 1
    summary(listings)
    print(f"OK: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
