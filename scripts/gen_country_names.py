#!/usr/bin/env python3
"""Regenerates core/src/country_names.rs: country names as people type them in es, en, fr,
ht and pt, folded (lower case, no accents, punctuation as spaces), each mapped to its
ISO 3166-1 alpha-2 code. Search uses it to find "consulado honduras" or "konsila ayiti"
(core/src/search/named.rs).

Names in es, en, fr and pt come from the CLDR data shipped in Babel. CLDR has no country
names in Haitian Creole, so those are written below (HT_NAMES), with the short and
colloquial forms people type (SHORT_FORMS). Only the countries in COUNTRIES are listed:
the Americas and the countries many people on the route come from or pass through. Names
that are also a common word or a large city elsewhere (Georgia, Jordan, Chad, Spanish
"Granada" for Grenada) are left out on purpose: a search for the city must not be turned
into one for another state's embassies.

Run: pip install babel && python3 scripts/gen_country_names.py > core/src/country_names.rs
"""
import sys
import unicodedata

from babel import Locale, __version__ as babel_version

# The 35 sovereign states of the Americas.
AMERICAS = (
    "AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC VC "
    "SR TT US UY VE"
).split()
# Countries many people on the route come from, pass through or have missions of interest.
OTHERS = (
    "ES FR IT DE GB PT NL BE CH CN IN NP BD PK AF LK CM SN GH NG AO CD CG ER ET SO MR GN CV "
    "UZ TR RU UA JP KR VN SY IR IQ YE EG MA PH"
).split()
COUNTRIES = AMERICAS + OTHERS

LANGS = ["es", "en", "fr", "pt"]

# Haitian Creole names (common spellings; several where usage varies).
HT_NAMES = {
    "AG": ["Antigwa ak Barbouda", "Antigwa"],
    "AR": ["Ajantin"],
    "BS": ["Bahamas"],
    "BB": ["Babad", "Bawbad"],
    "BZ": ["Beliz"],
    "BO": ["Bolivi"],
    "BR": ["Brezil"],
    "CA": ["Kanada"],
    "CL": ["Chili"],
    "CO": ["Kolonbi"],
    "CR": ["Kosta Rika"],
    "CU": ["Kiba"],
    "DM": ["Dominik"],
    "DO": ["Repiblik Dominikèn", "Sen Domeng", "Sendomeng", "Dominikani"],
    "EC": ["Ekwatè"],
    "SV": ["El Salvadò", "Salvadò"],
    "GD": ["Grenad"],
    "GT": ["Gwatemala"],
    "GY": ["Giyàn"],
    "HT": ["Ayiti"],
    "HN": ["Ondiras"],
    "JM": ["Jamayik"],
    "MX": ["Meksik"],
    "NI": ["Nikaragwa"],
    "PA": ["Panama"],
    "PY": ["Paragwe"],
    "PE": ["Pewou"],
    "KN": ["Sen Kits ak Nevis"],
    "LC": ["Sent Lisi"],
    "VC": ["Sen Vensan ak Grenadin"],
    "SR": ["Sirinam"],
    "TT": ["Trinidad ak Tobago"],
    "US": ["Etazini", "Ozetazini"],
    "UY": ["Irigwe"],
    "VE": ["Venezyela", "Venezwela"],
    "ES": ["Espay", "Espanye"],
    "FR": ["Lafrans", "Frans"],
    "IT": ["Itali"],
    "DE": ["Almay"],
    "GB": ["Angletè", "Wayòm Ini"],
    "PT": ["Pòtigal"],
    "NL": ["Olann", "Peyiba"],
    "BE": ["Bèljik"],
    "CH": ["Laswis", "Swis"],
    "CN": ["Lachin"],
    "IN": ["Lend"],
    "NP": ["Nepal"],
    "BD": ["Bangladèch"],
    "PK": ["Pakistan"],
    "AF": ["Afganistan"],
    "LK": ["Sri Lanka"],
    "CM": ["Kamewoun"],
    "SN": ["Senegal"],
    "GH": ["Gana"],
    "NG": ["Nijerya"],
    "AO": ["Angola"],
    "CD": ["Repiblik Demokratik Kongo"],
    "CG": ["Repiblik Kongo"],
    "ER": ["Eritre"],
    "ET": ["Etyopi"],
    "SO": ["Somali"],
    "MR": ["Moritani"],
    "GN": ["Gine"],
    "CV": ["Kap Vè"],
    "UZ": ["Ouzbekistan"],
    "TR": ["Tiki", "Turki"],
    "RU": ["Larisi"],
    "UA": ["Ikrèn"],
    "JP": ["Japon"],
    "KR": ["Kore di Sid"],
    "VN": ["Vyetnam"],
    "SY": ["Siri"],
    "IR": ["Iran"],
    "IQ": ["Irak"],
    "YE": ["Yemèn"],
    "EG": ["Ejip"],
    "MA": ["Mawòk"],
    "PH": ["Filipin"],
}

# Short and colloquial forms in any of the five languages, and official long forms.
SHORT_FORMS = {
    "US": ["EEUU", "EE. UU.", "E.U.A.", "EUA", "USA", "U.S.A.", "Estados Unidos de América",
           "United States of America", "Etats-Unis d'Amérique", "Estados Unidos da América"],
    "GB": ["UK", "Gran Bretaña", "Grande-Bretagne", "Great Britain", "Grã-Bretanha"],
    "DO": ["República Dominicana", "Dominicana"],
    "MX": ["Méjico", "Estados Unidos Mexicanos"],
    "KR": ["Corea", "Korea", "Corée"],
    "CD": ["RDC", "RD Congo", "DR Congo", "DRC", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville"],
    "NL": ["Holanda", "Holland", "Hollande"],
    "CV": ["Cabo Verde", "Cape Verde"],
    "TR": ["Turquía", "Turkey", "Turquie", "Turquia", "Türkiye"],
    "VE": ["Venezuela"],
    "BO": ["Bolivia"],
    "RU": ["Russia"],
    "IR": ["Iran"],
    "SY": ["Syria"],
    "VN": ["Vietnam"],
}

# Forms never listed: also a common word or a big place elsewhere (see the docstring).
EXCLUDED = {"granada", "georgia", "jordan", "chad", "america"}


def fold(text):
    """Lower case, accents removed (NFD, combining marks dropped), anything that is not a
    letter or digit turned into one space. named.rs folds typed text the same way."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in bare).split()
    return " ".join(words)


def names():
    out = {}

    def add(name, code, origin):
        key = fold(name)
        if not key or key in EXCLUDED:
            return
        # Two-letter forms ("us", "rd") are ordinary words in some language.
        if len(key.replace(" ", "")) <= 2:
            return
        if out.get(key, code) != code:
            sys.exit(f"{name!r} ({origin}) names both {out[key]} and {code}")
        out[key] = code

    for code in COUNTRIES:
        for lang in LANGS:
            territories = Locale.parse(lang).territories
            add(territories[code], code, lang)
            for variant in ("short", "variant"):
                alt = territories.get(f"{code}-alt-{variant}")
                if alt:
                    add(alt, code, f"{lang} {variant}")
        for name in HT_NAMES.get(code, []):
            add(name, code, "ht")
        for name in SHORT_FORMS.get(code, []):
            add(name, code, "short form")
    missing = [c for c in COUNTRIES if c not in HT_NAMES]
    if missing:
        sys.exit(f"no Haitian Creole name for {missing}")
    return sorted(out.items())


def main():
    rows = names()
    longest = max(len(k.split()) for k, _ in rows)
    print("//! Country names as people type them in es, en, fr, ht and pt, folded (lower case, no")
    print("//! accents, punctuation as spaces), for the countries of the Americas and the countries")
    print(f"//! many people on the route come from. Generated by `scripts/gen_country_names.py` from")
    print(f"//! CLDR (Babel {babel_version}) and the script's own Haitian Creole names and short forms.")
    print("//! Do not edit by hand.")
    print()
    print("/// Most words in one name (\"sen vensan ak grenadin\").")
    print(f"pub(crate) const MAX_NAME_WORDS: usize = {longest};")
    print()
    print("/// `(folded name, ISO 3166-1 alpha-2)`, sorted by name for binary search.")
    print("pub(crate) static COUNTRY_NAMES: &[(&str, &str)] = &[")
    for key, code in rows:
        print(f'    ("{key}", "{code}"),')
    print("];")


if __name__ == "__main__":
    main()
