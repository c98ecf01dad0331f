"""The places a choice-of-law clause can name, matched whatever their case ("STATE OF NEW YORK").

A closed list on purpose: a governing law is a state, province or country, and a list of them is what
tells "the laws of the State of Texas" from "the laws of the Company's jurisdiction". pycountry was
considered, not measured (ISO 3166 countries and subdivisions): its thousands of subdivisions are mostly
counties and districts that would turn "the laws of Orange" into a jurisdiction, and it loads JSON data
files at run time that a frozen app must ship; the places contracts choose fit in this module.
"""

from __future__ import annotations

import re

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
    "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
    "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
    "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
    "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming", "District of Columbia", "Puerto Rico",
)  # fmt: skip
PROVINCES = (
    "Ontario", "Quebec", "British Columbia", "Alberta", "Manitoba", "Saskatchewan", "Nova Scotia",
    "New Brunswick", "Newfoundland and Labrador", "Prince Edward Island", "Yukon", "Nunavut",
    "Northwest Territories", "New South Wales", "Victoria", "Queensland", "Western Australia",
    "South Australia", "Tasmania", "Australian Capital Territory", "Beijing", "Shanghai", "Guangdong",
    "Tianjin", "Chongqing", "Zhejiang", "Jiangsu", "Hubei", "Hunan", "Sichuan", "Shandong", "Fujian",
)  # fmt: skip
COUNTRIES = (
    "England and Wales", "England", "Wales", "Scotland", "Northern Ireland", "United Kingdom",
    "Great Britain", "Ireland", "United States of America", "United States", "Canada", "Mexico",
    "Germany", "France", "Switzerland", "Netherlands", "Belgium", "Luxembourg", "Austria", "Italy",
    "Spain", "Portugal", "Sweden", "Denmark", "Norway", "Finland", "Iceland", "Poland", "Czech Republic",
    "Hungary", "Romania", "Greece", "Cyprus", "Malta", "Turkey", "Israel", "Russian Federation", "Russia",
    "Ukraine", "Kazakhstan", "People's Republic of China", "China", "Hong Kong", "Macau", "Taiwan",
    "Japan", "Korea", "Singapore", "Malaysia", "Thailand", "Philippines", "Indonesia", "Vietnam", "India",
    "Australia", "New Zealand", "Papua New Guinea", "Brazil", "Argentina", "Chile", "Colombia", "Peru",
    "South Africa", "Nigeria", "Kenya", "Egypt", "United Arab Emirates", "Saudi Arabia", "Bermuda",
    "Cayman Islands", "British Virgin Islands", "Bahamas", "Barbados", "Panama", "Jersey", "Guernsey",
    "Isle of Man", "Liechtenstein", "Monaco",
)  # fmt: skip
# Abbreviations and other spellings, to the name above.
ALIASES = {
    "prc": "People's Republic of China", "p.r.c.": "People's Republic of China", "usa": "United States",
    "u.s.a.": "United States", "u.s.": "United States", "uk": "United Kingdom", "u.k.": "United Kingdom",
    "hksar": "Hong Kong", "ny": "New York", "the netherlands": "Netherlands",
    "hong kong special administrative region": "Hong Kong",
}  # fmt: skip
# How the clause may introduce the place ("the State of", "THE COMMONWEALTH OF"): words around the
# place, not part of the value.
KINDS = (
    "State", "Commonwealth", "Province", "Republic", "Federal Republic", "Kingdom", "Principality",
    "Grand Duchy", "Territory", "Special Administrative Region",
)  # fmt: skip
# One value per jurisdiction, so that the report's governing-law chart does not split one law in two:
# "laws of China" and "PRC law" are both the People's Republic of China, English law is the law of
# England and Wales (one jurisdiction), "the U.S.A." the United States.
PREFERRED = {
    "China": "People's Republic of China", "United States of America": "United States",
    "England": "England and Wales", "Great Britain": "United Kingdom", "Russian Federation": "Russia",
}  # fmt: skip

_CANONICAL = {name.lower(): name for name in (*US_STATES, *PROVINCES, *COUNTRIES)} | ALIASES
_NAMES = sorted(_CANONICAL, key=len, reverse=True)
_NAME_ALTERNATIVES = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in _NAMES)
_KIND = "|".join(k.replace(" ", r"\s+") for k in KINDS)
# "the State of New York", "THE COMMONWEALTH OF KENTUCKY", "Ontario", "the PRC": case does not matter.
PLACE = re.compile(
    rf"(?:the\s+)?(?:(?P<kind>{_KIND})\s+of\s+(?:the\s+)?)?(?P<name>{_NAME_ALTERNATIVES})(?![\w-])",
    re.IGNORECASE,
)


def canonical(name: str) -> str | None:
    """The known place a name spells (any case, any spacing), in its list spelling; None if unknown."""
    return _CANONICAL.get(re.sub(r"\s+", " ", name.strip().lower()))


def normalized(name: str) -> str:
    """The value a known place is reported as: 'China' -> "People's Republic of China"."""
    return PREFERRED.get(name, name)


def place_value(match: re.Match[str]) -> str:
    """'THE STATE OF NEW YORK' -> 'New York'; 'the Federal Republic of Germany' -> 'Germany'."""
    name = canonical(match.group("name")) or match.group("name")
    return normalized(name)


def jurisdiction_of(text: str) -> str | None:
    """The normalized place a whole value names ("State of Texas" -> "Texas"), or None if it names none."""
    match = PLACE.fullmatch(text.strip().rstrip("."))
    return place_value(match) if match else None
