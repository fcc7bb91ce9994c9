#!/usr/bin/env python3
"""Writes tests/data/phone_cases.tsv: phone numbers written the ways people write them, each
with the default region it is read in and what libphonenumber makes of it.

The expectations come from libphonenumber itself (the `phonenumbers` package, Google's
libphonenumber ported to Python), at the metadata version the `phonenumber` crate carries
(0.3.10+9.0.33 -> phonenumbers 9.0.33), so that a difference is a difference in reading,
not in data. `tests/contact.rs` (phone_numbers_read_as_libphonenumber_reads_them) reads every
case through `faro_core::contact::normalize` and requires agreement on at least 99.5 %.

Regenerate (after a metadata update of the crate, bump both versions together):

    python3 -m venv /tmp/pn && /tmp/pn/bin/pip install phonenumbers==9.0.33
    /tmp/pn/bin/python scripts/gen_phone_cases.py > tests/data/phone_cases.tsv

The numbers are libphonenumber's example numbers (real allocation ranges, published in its
metadata, not anyone's number) and the same with the last digit changed.

Columns (tab-separated, `-` for none):
  input     the text as written
  region    the default region it is read in (the phone's region), `-` for none
  style     how it is written (e164, intl, national, idd_00, out_of_country, wa_me, junk...)
  lpn       libphonenumber: the E.164 number if valid, `invalid:+...` if it parses but is
            not valid, `error:<TYPE>` if it does not parse
  faro      what Faro must read: the E.164 number or `-`
  rule      why `faro` is what it is: `libphonenumber` (faro = lpn when valid, else `-`),
            `wa_link` (a wa.me / WhatsApp link holds the full international number: read as
            `+` and those digits, with no region), `mx_legacy` (libphonenumber calls it
            invalid; it is a Mexican number in a pre-2019 form: +52 1, 044, 045, 01),
            `no_region_00` (no region: libphonenumber cannot read it; 00 is read as the
            international prefix most of the world uses)
"""

import random
import re
import sys

import phonenumbers as pn
from phonenumbers import PhoneNumberFormat as F
from phonenumbers import PhoneNumberType as T

CORRIDOR = "MX GT HN SV NI CR PA CO VE EC PE BO CL AR BR CU HT DO US CA".split()
OTHERS = "PR JM BZ UY PY ES IT GB CN IN SN CM RU".split()
TYPES = [T.FIXED_LINE, T.MOBILE, T.TOLL_FREE, T.UAN]
# Where most people on the route come from or pass: a second number of each type.
NEIGHBOURS = "MX GT HN SV CO VE CU HT US".split()
# National forms are also read in a few other regions (a number copied across a border).
NATIONAL_REGIONS = ["US", "MX", "CO", "GT"]
# Every distinct international prefix of the corridor: 011 (NANP), 119 (Cuba), 00 with
# carrier codes (Colombia, Brazil, Bolivia, Peru, Chile), 0[09] (Mexico), plain 00.
DIALLED_FROM = ["US", "DO", "CU", "CO", "BR", "BO", "PE", "CL", "MX", "GT", "AR", "HT"]


def e164(n):
    return pn.format_number(n, F.E164)


def lpn(text, region):
    """libphonenumber's reading: (column text, valid E.164 or None, parsed number or None)."""
    try:
        n = pn.parse(text, region)
    except pn.NumberParseException as e:
        return "error:" + e.error_type_name() if hasattr(e, "error_type_name") else f"error:{e.error_type}", None, None
    if pn.is_valid_number(n):
        return e164(n), e164(n), n
    return "invalid:" + e164(n), None, n


def mx_legacy(n):
    """The rule in core/src/contact/normalize.rs (mexican_legacy)."""
    if n is None or n.country_code != 52:
        return None
    nsn = pn.national_significant_number(n)
    for pre in ("1", "044", "045", "01"):
        if nsn.startswith(pre) and len(nsn) - len(pre) == 10:
            m = pn.PhoneNumber(country_code=52, national_number=int(nsn[len(pre):]))
            if pn.is_valid_number(m):
                return e164(m)
    return None


def expect(text, region, style):
    """(lpn column, faro column, rule)."""
    if style.startswith("wa_") or style == "api_whatsapp":
        digits = re.sub(r"\D", "", text.split("phone=")[-1].split("&")[0].rsplit("/", 1)[-1])
        col, valid, n = lpn("+" + digits, None)
        if valid:
            return col, valid, "wa_link"
        legacy = mx_legacy(n)
        return col, legacy or "-", "mx_legacy" if legacy else "wa_link"
    col, valid, n = lpn(text, region)
    if valid:
        return col, valid, "libphonenumber"
    legacy = mx_legacy(n)
    if legacy:
        return col, legacy, "mx_legacy"
    digits = re.sub(r"[^\d+]", "", text)
    if region is None and digits.startswith("00"):
        _, valid2, n2 = lpn("+" + digits[2:], None)
        found = valid2 or mx_legacy(n2)
        if found:
            return col, found, "no_region_00"
    return col, "-", "libphonenumber"


def numbers():
    """(region, number) pairs: example numbers, and a neighbour of some (NEIGHBOURS)."""
    out = []
    for region in CORRIDOR + OTHERS:
        for t in TYPES:
            ex = pn.example_number_for_type(region, t)
            if ex is None:
                continue
            out.append((region, ex))
            if region not in NEIGHBOURS:
                continue
            nsn = pn.national_significant_number(ex)
            last = str((int(nsn[-1]) + 7) % 10)
            out.append((region, pn.parse("+%d%s%s" % (ex.country_code, nsn[:-1], last), None)))
    return out


def styles(region, n):
    """(style, text, regions it is read in)."""
    cc, nsn = n.country_code, pn.national_significant_number(n)
    intl = pn.format_number(n, F.INTERNATIONAL)
    national = pn.format_number(n, F.NATIONAL)
    everywhere = [None] + CORRIDOR
    some = [None, "US", region]
    meta = pn.PhoneMetadata.metadata_for_region(region)
    grouped = intl.split(" ", 1)[1] if " " in intl else nsn
    out = [
        ("e164", e164(n), everywhere),
        ("intl", intl, everywhere),
        ("intl_dashes", intl.replace(" ", "-"), some),
        ("intl_dots", intl.replace(" ", "."), [region]),
        ("intl_paren_cc", "(+%d) %s" % (cc, grouped), some),
        ("intl_plus_space", "+ %d %s" % (cc, grouped), some),
        ("intl_nbsp", intl.replace(" ", "\u00a0"), [region]),
        ("tel", pn.format_number(n, F.RFC3966), some),
        ("wa_me", "https://wa.me/%d%s" % (cc, nsn), some),
        ("wa_me_bare", "wa.me/%d%s" % (cc, nsn), [region]),
        ("api_whatsapp", "https://api.whatsapp.com/send?phone=%d%s&text=hola" % (cc, nsn), [region]),
        ("national", national, [region] + NATIONAL_REGIONS),
        ("national_digits", nsn, [region] + NATIONAL_REGIONS),
        ("national_dashes", national.replace(" ", "-"), [region]),
        ("idd_00", "00 %d %s" % (cc, grouped), [None, region, "US", "MX", "CO", "BR", "CU"]),
        ("idd_00_compact", "00%d%s" % (cc, nsn), [None, region]),
        ("idd_011", "011 %d %s" % (cc, grouped), [None, "US", "DO", "MX", region]),
        ("idd_119", "119 %d %s" % (cc, grouped), ["CU", "US"]),
        ("cc_no_plus", "%d%s" % (cc, nsn), [region, "US", "MX"]),
    ]
    if meta is not None and meta.national_prefix:
        out.append(("national_trunk", meta.national_prefix + nsn, [region] + NATIONAL_REGIONS))
    for dialled_from in DIALLED_FROM:
        text = pn.format_out_of_country_calling_number(n, dialled_from)
        out.append(("out_of_country", text, [dialled_from]))
    if region == "MX" and pn.number_type(n) in (T.MOBILE, T.FIXED_LINE_OR_MOBILE, T.FIXED_LINE):
        out += [
            ("mx_plus_1", "+52 1 %s" % grouped, everywhere),
            ("mx_plus_1_paren", "+52 1 (%s) %s %s" % (nsn[:3], nsn[3:6], nsn[6:]), some),
            ("wa_me_mx_1", "https://wa.me/521%s" % nsn, some),
            ("mx_044", "044 %s" % grouped, ["MX"]),
            ("mx_045", "045 %s" % grouped, ["MX"]),
            ("mx_01", "01 %s" % grouped, ["MX"]),
            ("mx_011_1", "011 52 1 %s" % grouped, ["US"]),
        ]
    return out


def junk(rng):
    """Text that is no number, or barely one: must never crash, and read as libphonenumber."""
    fixed = ["+", "++", "+0", "00", "011", "0", "12", "123", "+1", "+52", "+999 123 4567", "+0 915 555 0123",
             "(((", "+-+-", "- - -", "9" * 30, "+" + "9" * 24, "00" + "1" * 20, "1 2", "+1 2",
             "0000000000", "1111111111", "+52 000 000 0000", "+1 000 000 0000", "+1 (915)", "915 555 01234567",
             "+52 1", "+52 1 1", "044", "521", "+521", "/ / /", ". . .", "+.52"]
    alphabet = "0123456789" * 3 + "+-.()/ "
    out = [(s, r) for s in fixed for r in (None, "US", "MX")]
    for _ in range(600):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))).strip()
        out.append((text, rng.choice([None, "US", "MX", "CO", "BR", "CU", "GT"])))
    return out


def main():
    rng = random.Random(20261207)
    rows = set()
    for region, n in numbers():
        for style, text, regions in styles(region, n):
            for r in dict.fromkeys(regions):
                rows.add((text, r or "-", style))
    for text, r in junk(rng):
        if text and "\t" not in text:
            rows.add((text, r or "-", "junk"))
    w = sys.stdout
    w.write("# generated by scripts/gen_phone_cases.py with phonenumbers %s; see the script for the columns\n"
            % pn.__version__)
    w.write("input\tregion\tstyle\tlpn\tfaro\trule\n")
    for text, r, style in sorted(rows):
        col, faro, rule = expect(text, None if r == "-" else r, style)
        w.write("\t".join([text, r, style, col, faro, rule]) + "\n")


if __name__ == "__main__":
    main()
