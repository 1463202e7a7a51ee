"""The demo municipality's organisation, after Randers: council, committees, areas, units, people.

Unit names, committees and areas follow the public organisation of Randers Kommune (DOMAIN.md,
section 10); every person is fictional. Everything is derived from the unit's number, so building
again creates only what is missing, and building 5,000 units takes bulk inserts, not minutes.
"""

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction

from . import permissions
from .models import (
    Area,
    Committee,
    CommitteeMembership,
    Council,
    CouncilMembership,
    Site,
    Unit,
    User,
)
from .services import unit_slug

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the demo accounts
EMAIL_DOMAIN = "randers.dk"
COUNCIL_NAME = "Randers Byråd"
COUNCIL_SIZE = 31

Kind = Unit.Kind

# (name, slug, kind of committee, seats)
COMMITTEES = [
    ("Økonomiudvalget", "oekonomiudvalget", Committee.Kind.FINANCE, 9),
    ("Skole- og Uddannelsesudvalget", "skole-og-uddannelsesudvalget", Committee.Kind.STANDING, 7),
    ("Børne- og Familieudvalget", "boerne-og-familieudvalget", Committee.Kind.STANDING, 7),
    ("Omsorgsudvalget", "omsorgsudvalget", Committee.Kind.STANDING, 7),
    (
        "Sundheds-, Idræts- og Kulturudvalget",
        "sundheds-idraets-og-kulturudvalget",
        Committee.Kind.STANDING,
        7,
    ),
    ("Socialudvalget", "socialudvalget", Committee.Kind.STANDING, 7),
    ("Beskæftigelsesudvalget", "beskaeftigelsesudvalget", Committee.Kind.STANDING, 7),
    ("Miljø- og Teknikudvalget", "miljoe-og-teknikudvalget", Committee.Kind.STANDING, 7),
]

AREAS = [
    ("Børn og Skole", "boern-og-skole"),
    ("Sundhed, Kultur og Omsorg", "sundhed-kultur-og-omsorg"),
    ("Social og Arbejdsmarked", "social-og-arbejdsmarked"),
    ("Miljø og Teknik", "miljoe-og-teknik"),
    ("Stabene", "stabene"),
]

# Which area and committee each kind of unit belongs to.
KIND_HOME = {
    Kind.SCHOOL: ("boern-og-skole", "skole-og-uddannelsesudvalget"),
    Kind.DAYCARE: ("boern-og-skole", "boerne-og-familieudvalget"),
    Kind.FAMILY: ("boern-og-skole", "boerne-og-familieudvalget"),
    Kind.ELDER_CARE: ("sundhed-kultur-og-omsorg", "omsorgsudvalget"),
    Kind.HEALTH: ("sundhed-kultur-og-omsorg", "sundheds-idraets-og-kulturudvalget"),
    Kind.LIBRARY: ("sundhed-kultur-og-omsorg", "sundheds-idraets-og-kulturudvalget"),
    Kind.CULTURE: ("sundhed-kultur-og-omsorg", "sundheds-idraets-og-kulturudvalget"),
    Kind.SOCIAL: ("social-og-arbejdsmarked", "socialudvalget"),
    Kind.EMPLOYMENT: ("social-og-arbejdsmarked", "beskaeftigelsesudvalget"),
    Kind.TECHNICAL: ("miljoe-og-teknik", "miljoe-og-teknikudvalget"),
    Kind.STAFF: ("stabene", "oekonomiudvalget"),
}

# Units that exist in Randers (public sources in DOMAIN.md), in the order they are built.
NAMED_UNITS: list[tuple[str, Kind, bool]] = [  # name, kind, self-governing
    ("Tirsdalens Skole", Kind.SCHOOL, False),
    ("Havndal Skole", Kind.SCHOOL, False),
    ("Asferg Skole", Kind.SCHOOL, False),
    ("Vestervangsskolen", Kind.SCHOOL, False),
    ("Grønhøjskolen", Kind.SCHOOL, False),
    ("Randers Ungdomsskole", Kind.SCHOOL, False),
    ("UU Randers", Kind.SCHOOL, False),
    ("Læringscenter Randers", Kind.SCHOOL, False),
    ("Dagplejen", Kind.DAYCARE, False),
    ("Dagtilbud Sydvest", Kind.DAYCARE, False),
    ("Randers Børneasyl", Kind.DAYCARE, False),
    ("Kristrup Børnehus", Kind.DAYCARE, True),
    ("Randers Krisecenter", Kind.FAMILY, False),
    ("Område Nord", Kind.ELDER_CARE, False),
    ("Område Syd", Kind.ELDER_CARE, False),
    ("Område Vest", Kind.ELDER_CARE, False),
    ("Madservice Kronjylland", Kind.ELDER_CARE, False),
    ("Hjælpemiddelhuset Kronjylland", Kind.ELDER_CARE, False),
    ("Tandplejen", Kind.HEALTH, False),
    ("Sundhedsplejen", Kind.HEALTH, False),
    ("Randers Bibliotek", Kind.LIBRARY, False),
    ("Museum Østjylland", Kind.CULTURE, True),
    ("Værket", Kind.CULTURE, True),
    ("Randers Musikskole", Kind.CULTURE, False),
    ("Fritidscentret", Kind.CULTURE, False),
    ("Børnecenter Randers", Kind.SOCIAL, False),
    ("Voksen bo", Kind.SOCIAL, False),
    ("Det specialiserede dagområde", Kind.SOCIAL, False),
    ("Rusmiddelcenter Randers", Kind.SOCIAL, False),
    ("Sprogcentret", Kind.EMPLOYMENT, False),
    ("Jobcenter Randers", Kind.EMPLOYMENT, False),
    ("Affaldscentret", Kind.TECHNICAL, False),
    ("Park og Kirkegårde", Kind.TECHNICAL, False),
    ("Ejendomsadministration", Kind.TECHNICAL, False),
    ("Økonomi, Personale og HR", Kind.STAFF, False),
    ("Politik, Kommunikation og Digital Service", Kind.STAFF, False),
]

PLACES = [
    "Assentoft",
    "Langå",
    "Spentrup",
    "Fårup",
    "Gassum",
    "Værum",
    "Ålum",
    "Stevnstrup",
    "Harridslev",
    "Gjerlev",
    "Øster Tørslev",
    "Mellerup",
    "Uggelhuse",
    "Dronningborg",
    "Kristrup",
    "Vorup",
    "Romalt",
    "Hornbæk",
    "Nørrevang",
    "Munkdrup",
    "Paderup",
    "Bjerregrav",
    "Kousted",
    "Ørum",
    "Tånum",
    "Helstrup",
    "Dalbyover",
    "Udbyneder",
    "Råby",
    "Laurbjerg",
    "Bjerring",
    "Ulstrup",
    "Grensten",
    "Vester Tørslev",
    "Svenstrup",
    "Albæk",
    "Læsten",
    "Lindbjerg",
    "Haslund",
    "Virring",
    "Essenbæk",
    "Sønderhald",
    "Drastrup",
    "Hald Ege",
    "Støvring",
    "Rytterhaven",
    "Jennum",
    "Kristrup Enge",
    "Vestervang",
    "Tjærby",
    "Hvidsten",
    "Mejlby",
    "Linde",
    "Lem",
    "Øster Bjerregrav",
    "Torup",
    "Hald",
    "Oust Mølle",
    "Aidt",
    "Randers Nord",
]
DAYCARE_PREFIXES = ["Børnehuset", "Børnehaven", "Vuggestuen", "Naturbørnehaven"]
DAYCARE_NAMES = [
    "Solsikken",
    "Mælkebøtten",
    "Regnbuen",
    "Skovtrolden",
    "Spiren",
    "Myretuen",
    "Troldehøjen",
    "Bikuben",
    "Kastanjen",
    "Solstrålen",
    "Græshoppen",
    "Mariehønen",
    "Humlebien",
    "Lærkereden",
    "Egehuset",
    "Stjernehuset",
    "Krudtuglen",
    "Bøgely",
    "Abildgården",
    "Søstjernen",
    "Rosenhaven",
    "Kildebakken",
    "Skovbrynet",
    "Havtornen",
    "Pilehuset",
    "Uglereden",
    "Spurvereden",
    "Bakkehuset",
    "Fyrtårnet",
    "Tusindfryd",
    "Æblehaven",
    "Nøddebo",
    "Hyldebærhuset",
    "Violen",
    "Engblommen",
    "Vibeengen",
    "Rævegraven",
    "Troldeskoven",
    "Lindegården",
    "Kløveren",
]
SOCIAL_PREFIXES = ["Bostedet", "Botilbuddet", "Aktivitetscentret", "Værestedet"]
SOCIAL_NAMES = [
    "Fjorden",
    "Nørreport",
    "Lyngbakken",
    "Åbrinken",
    "Vesterled",
    "Skovvang",
    "Elmegården",
    "Tjørnehøj",
    "Kærvang",
    "Engbo",
    "Strandly",
    "Hybenhuset",
    "Bakkegården",
    "Solgården",
]
STAFF_NAMES = [
    "IT og Digitalisering",
    "Borgerservice",
    "Indkøb og Udbud",
    "Løn og Personale",
    "Jura og Byrådssekretariat",
    "Erhverv og Udvikling",
    "Byggeri og Planlægning",
    "Kommunikation",
    "Arbejdsmiljø",
    "Ejendomsservice",
]
TECHNICAL_NAMES = [
    "Vej og Trafik",
    "Natur og Miljø",
    "Byggesag",
    "Kollektiv Trafik",
    "Vintertjeneste",
    "Grønne Områder",
    "Genbrugspladsen",
    "Driftsgården",
]

FIRST_NAMES = [
    "Anne",
    "Mette",
    "Lars",
    "Søren",
    "Henrik",
    "Jens",
    "Camilla",
    "Louise",
    "Peter",
    "Martin",
    "Maria",
    "Hanne",
    "Karen",
    "Kirsten",
    "Lene",
    "Susanne",
    "Thomas",
    "Rasmus",
    "Mads",
    "Jesper",
    "Charlotte",
    "Pia",
    "Dorthe",
    "Ole",
    "Niels",
    "Bent",
    "Helle",
    "Tina",
    "Maja",
    "Ida",
    "Sofie",
    "Mikkel",
    "Anders",
    "Christian",
    "Kasper",
    "Jonas",
    "Signe",
    "Birgitte",
    "Rikke",
    "Trine",
    "Michael",
    "Morten",
    "Jakob",
    "Line",
    "Marianne",
    "Gitte",
    "Torben",
    "Ulla",
    "Bo",
    "Jette",
    "Vibeke",
    "Kim",
    "Allan",
    "Dorte",
    "Malene",
    "Stine",
    "Nanna",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Laursen",
    "Holm",
    "Schmidt",
    "Kjær",
    "Bach",
    "Lund",
    "Dam",
    "Berg",
    "Skov",
    "Vestergaard",
    "Friis",
    "Brandt",
    "Overgaard",
    "Bak",
    "Krogh",
    "Høj",
    "Dahl",
    "Juhl",
    "Søgaard",
    "Bruun",
    "Lauridsen",
    "Kjeldsen",
    "Damgaard",
    "Iversen",
    "Ebbesen",
]
STREETS = [
    "Skolegade",
    "Kirkegade",
    "Vestergade",
    "Østervold",
    "Jernbanegade",
    "Søndergade",
    "Tørvebryggen",
    "Hobrovej",
    "Viborgvej",
    "Århusvej",
    "Grenåvej",
    "Mariagervej",
    "Vorupvej",
    "Parkvej",
    "Engvej",
    "Bakkevej",
    "Skovvej",
    "Lindevej",
    "Kastanievej",
    "Tjærbyvej",
]

LEGAL_BASIS = {
    Kind.SCHOOL: "Folkeskoleloven",
    Kind.DAYCARE: "Dagtilbudsloven",
    Kind.FAMILY: "Barnets lov",
    Kind.ELDER_CARE: "Lov om social service",
    Kind.HEALTH: "Sundhedsloven",
    Kind.LIBRARY: "Lov om biblioteksvirksomhed",
    Kind.CULTURE: "Musikskoleloven og museumsloven",
    Kind.SOCIAL: "Lov om social service",
    Kind.EMPLOYMENT: "Lov om en aktiv beskæftigelsesindsats",
    Kind.TECHNICAL: "Vejloven og miljøbeskyttelsesloven",
    Kind.STAFF: "Kommunestyrelsesloven",
}
MAIN_TASK = {
    Kind.SCHOOL: "Undervisning og trivsel for skolens elever fra 0. til 9. klasse, i samarbejde "
    "med forældrene.",
    Kind.DAYCARE: "Pædagogisk arbejde med leg, læring og trivsel for børn fra 0 til 6 år.",
    Kind.FAMILY: "Rådgivning, beskyttelse og støtte til børn og familier i udsatte situationer.",
    Kind.ELDER_CARE: "Pleje, omsorg og træning for ældre borgere i eget hjem og på plejecentre.",
    Kind.HEALTH: "Forebyggelse og sundhedsfremme for børn, unge og voksne.",
    Kind.LIBRARY: "Fri adgang til viden, litteratur og kultur for alle borgere.",
    Kind.CULTURE: "Kultur- og fritidstilbud, der skaber fællesskab og oplevelser.",
    Kind.SOCIAL: "Botilbud, dagtilbud og støtte til voksne med særlige behov.",
    Kind.EMPLOYMENT: "Hjælp til ledige borgere, så flere kommer i uddannelse eller job.",
    Kind.TECHNICAL: "Drift og udvikling af veje, natur, affald og kommunens ejendomme.",
    Kind.STAFF: "Tværgående service og rådgivning til byråd, direktion og aftaleenheder.",
}
TARGET_GROUP = {
    Kind.SCHOOL: "Skolens elever og deres forældre.",
    Kind.DAYCARE: "Børn fra 0 til 6 år og deres forældre.",
    Kind.FAMILY: "Børn, unge og familier.",
    Kind.ELDER_CARE: "Ældre borgere med behov for hjælp.",
    Kind.HEALTH: "Kommunens borgere.",
    Kind.LIBRARY: "Alle borgere.",
    Kind.CULTURE: "Børn, unge og voksne i hele kommunen.",
    Kind.SOCIAL: "Voksne med handicap, sindslidelse eller misbrug.",
    Kind.EMPLOYMENT: "Ledige borgere og virksomheder.",
    Kind.TECHNICAL: "Borgere, virksomheder og besøgende.",
    Kind.STAFF: "Byrådet, direktionen og kommunens aftaleenheder.",
}
JOB_TITLE = {
    Kind.SCHOOL: "Skoleleder",
    Kind.DAYCARE: "Dagtilbudsleder",
    Kind.FAMILY: "Leder",
    Kind.ELDER_CARE: "Områdeleder",
    Kind.HEALTH: "Leder",
    Kind.LIBRARY: "Biblioteksleder",
    Kind.CULTURE: "Leder",
    Kind.SOCIAL: "Forstander",
    Kind.EMPLOYMENT: "Centerchef",
    Kind.TECHNICAL: "Driftschef",
    Kind.STAFF: "Stabschef",
}
HAS_USER_BOARD = {Kind.SCHOOL, Kind.DAYCARE, Kind.ELDER_CARE, Kind.SOCIAL}

# The mix of generated units beyond the named ones, by kind (weights out of 100).
GENERATED_MIX = [
    (Kind.DAYCARE, 42),
    (Kind.SCHOOL, 12),
    (Kind.ELDER_CARE, 12),
    (Kind.SOCIAL, 10),
    (Kind.CULTURE, 6),
    (Kind.LIBRARY, 4),
    (Kind.TECHNICAL, 5),
    (Kind.HEALTH, 3),
    (Kind.EMPLOYMENT, 3),
    (Kind.STAFF, 3),
]

# Demo accounts of DESIGN.md: username -> (first name, last name, job title)
DEMO_PEOPLE = {
    "admin": ("Mette", "Holm", "Systemadministrator"),
    "council": ("Søren", "Kjær", "Byrådsmedlem"),
    "director": ("Hanne", "Vestergaard", "Direktør for Børn og Skole"),
    "leader": ("Lars", "Bach", "Skoleleder"),
}
DEMO_LEADER_UNIT = "Tirsdalens Skole"
DEMO_DIRECTOR_AREA = "boern-og-skole"
DEMO_COUNCIL_COMMITTEE = "skole-og-uddannelsesudvalget"


def _generated_names(kind: Kind) -> Iterator[str]:
    """Endless distinct plausible names for units of a kind."""
    if kind == Kind.DAYCARE:
        plain = (f"{p} {n}" for n in DAYCARE_NAMES for p in DAYCARE_PREFIXES)
        placed = (
            f"{p} {n}, {place}" for place in PLACES for n in DAYCARE_NAMES for p in DAYCARE_PREFIXES
        )
        yield from itertools.chain(plain, placed)
    elif kind == Kind.SCHOOL:
        yield from (f"{place} Skole" for place in PLACES)
        yield from (f"{place} Skole, afdeling {n}" for n in range(2, 100) for place in PLACES)
    elif kind == Kind.ELDER_CARE:
        yield from (f"Plejecenter {place}" for place in PLACES)
        yield from (f"Hjemmeplejen {place}" for place in PLACES)
        yield from (f"Plejecenter {place} {n}" for n in range(2, 100) for place in PLACES)
    elif kind == Kind.SOCIAL:
        plain = (f"{p} {n}" for n in SOCIAL_NAMES for p in SOCIAL_PREFIXES)
        placed = (
            f"{p} {n}, {place}" for place in PLACES for n in SOCIAL_NAMES for p in SOCIAL_PREFIXES
        )
        yield from itertools.chain(plain, placed)
    elif kind == Kind.CULTURE:
        yield from (
            f"{what} {place}"
            for what in ("Kulturhuset", "Idrætscenter", "Fritidsklubben", "Ungdomsklubben")
            for place in PLACES
        )
        yield from (f"Forsamlingshuset {place} {n}" for n in range(2, 100) for place in PLACES)
    elif kind == Kind.LIBRARY:
        yield from (f"Randers Bibliotek, {place}" for place in PLACES)
        yield from (f"Bogbussen {n}" for n in range(1, 1000))
    elif kind == Kind.TECHNICAL:
        yield from (
            f"{name} {region}"
            for name in TECHNICAL_NAMES
            for region in ("Nord", "Syd", "Øst", "Vest")
        )
        yield from (f"Driftsgården {place} {n}" for n in range(1, 100) for place in PLACES)
    elif kind == Kind.HEALTH:
        yield from (f"Sundhedscenter {place}" for place in PLACES)
        yield from (f"Genoptræning {place}" for place in PLACES)
        yield from (f"Sundhedshuset {place} {n}" for n in range(2, 100) for place in PLACES)
    elif kind == Kind.EMPLOYMENT:
        yield from (
            f"{what} {place}"
            for what in ("Jobcenter", "Ungeindsatsen", "Virksomhedsservice")
            for place in PLACES
        )
        yield from (f"Jobcenter {place} {n}" for n in range(2, 100) for place in PLACES)
    else:
        yield from STAFF_NAMES
        yield from (f"{name}, team {n}" for n in range(2, 1000) for name in STAFF_NAMES)


@dataclass(frozen=True)
class UnitSpec:
    name: str
    kind: Kind
    self_governing: bool
    number: int


def unit_specs(count: int) -> list[UnitSpec]:
    """The first `count` units of the demo municipality, always the same for the same count."""
    specs = [
        UnitSpec(name, kind, governing, number)
        for number, (name, kind, governing) in enumerate(NAMED_UNITS[:count])
    ]
    taken = {spec.name for spec in specs}
    generators = {kind: _generated_names(kind) for kind, _weight in GENERATED_MIX}
    kinds = [kind for kind, weight in GENERATED_MIX for _ in range(weight)]
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    while len(specs) < count:
        kind = kinds[rng.randrange(len(kinds))]
        name = next(generators[kind])
        if name in taken:
            continue
        taken.add(name)
        number = len(specs)
        specs.append(UnitSpec(name, kind, kind == Kind.DAYCARE and number % 15 == 0, number))
    return specs


def _person(number: int, role: str) -> User:
    """A fictional person; the same number always gives the same person."""
    rng = random.Random(f"{role}-{number}")  # noqa: S311 - demo data, not security
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    username = f"{role}{number:05d}"
    return User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@{EMAIL_DOMAIN}",
        password=make_password(None),
    )


def _unit(spec: UnitSpec, area: Area, committee: Committee, leader: User) -> Unit:
    rng = random.Random(spec.name)  # noqa: S311 - demo data, not security
    slug = unit_slug(spec.name)
    place = rng.choice(PLACES)
    return Unit(
        name=spec.name,
        slug=slug,
        kind=spec.kind,
        area=area,
        committee=committee,
        leader=leader,
        email=f"{slug[:60]}@{EMAIL_DOMAIN}",
        phone=f"89 15 {rng.randint(10, 99)} {rng.randint(10, 99)}",
        address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}, 89{rng.randint(0, 99):02d} {place}",
        website=f"https://{slug[:50]}.randers.dk",
        legal_basis=LEGAL_BASIS[spec.kind],
        main_task=MAIN_TASK[spec.kind],
        target_group=TARGET_GROUP[spec.kind],
        self_governing=spec.self_governing,
        has_user_board=spec.kind in HAS_USER_BOARD,
        active_from=date(2007, 1, 1),
    )


def _sites(unit: Unit, spec: UnitSpec) -> list[Site]:
    """Some units run several workplaces: elder-care areas, day-care districts, big schools."""
    rng = random.Random(f"sites-{spec.name}")  # noqa: S311 - demo data, not security
    if spec.kind == Kind.ELDER_CARE and spec.number < len(NAMED_UNITS):
        count = 4
    elif spec.kind in (Kind.DAYCARE, Kind.SCHOOL, Kind.SOCIAL) and spec.number % 3 == 0:
        count = rng.randint(2, 3)
    else:
        return []
    label = {
        Kind.ELDER_CARE: "Plejecenter",
        Kind.DAYCARE: "Afdeling",
        Kind.SCHOOL: "Afdeling",
        Kind.SOCIAL: "Bolig",
    }[spec.kind]
    places = rng.sample(PLACES, count)
    return [
        Site(
            unit=unit,
            name=f"{label} {place}",
            address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            postal_code=f"89{rng.randint(0, 99):02d}",
            city=place,
        )
        for place in places
    ]


@transaction.atomic
def build_organisation(unit_count: int) -> dict[str, int]:
    """Build (or complete) the demo organisation with `unit_count` units; return what was made."""
    created = {"people": 0, "units": 0, "sites": 0}
    council, _ = Council.objects.get_or_create(name=COUNCIL_NAME)
    committees = {}
    for name, slug, kind, _seats in COMMITTEES:
        committees[slug], _ = Committee.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "council": council}
        )
    areas = {}
    for name, slug in AREAS:
        areas[slug], _ = Area.objects.get_or_create(slug=slug, defaults={"name": name})

    # People: demo accounts, council members, directors and one leader per unit.
    specs = unit_specs(unit_count)
    wanted: dict[str, User] = {}
    for username, (first, last, title) in DEMO_PEOPLE.items():
        wanted[username] = User(
            username=username,
            first_name=first,
            last_name=last,
            job_title=title,
            email=f"{username}@{EMAIL_DOMAIN}",
            password=make_password(DEMO_PASSWORD),
        )
    for number in range(1, COUNCIL_SIZE):
        person = _person(number, "byraad")
        person.job_title = "Byrådsmedlem"
        wanted[person.username] = person
    for number, (_name, slug) in enumerate(AREAS):
        if slug != DEMO_DIRECTOR_AREA:
            person = _person(number, "direktoer")
            person.job_title = f"Direktør for {_name}"
            wanted[person.username] = person
    for spec in specs:
        if spec.name != DEMO_LEADER_UNIT:
            person = _person(spec.number, "leder")
            person.job_title = JOB_TITLE[spec.kind]
            wanted[person.username] = person
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    new_people = [person for username, person in wanted.items() if username not in existing]
    User.objects.bulk_create(new_people, batch_size=1000)
    created["people"] = len(new_people)
    people = {u.username: u for u in User.objects.filter(username__in=wanted)}

    # Units with their leaders and sites.
    existing_units = set(
        Unit.objects.filter(name__in=[s.name for s in specs]).values_list("name", flat=True)
    )
    new_units, new_sites = [], []
    for spec in specs:
        if spec.name in existing_units:
            continue
        area_slug, committee_slug = KIND_HOME[spec.kind]
        username = "leader" if spec.name == DEMO_LEADER_UNIT else f"leder{spec.number:05d}"
        unit = _unit(spec, areas[area_slug], committees[committee_slug], people[username])
        new_units.append(unit)
        new_sites.extend(_sites(unit, spec))
    Unit.objects.bulk_create(new_units, batch_size=1000)
    Site.objects.bulk_create(new_sites, batch_size=1000)
    created["units"], created["sites"] = len(new_units), len(new_sites)

    # Roles, with the object permissions that follow from them.
    grants: list[tuple[str, User, object]] = []
    for unit in Unit.objects.filter(name__in=[s.name for s in specs]).select_related("leader"):
        if unit.leader is not None:
            grants.append((permissions.LEAD_UNIT, unit.leader, unit))
    for number, (_name, slug) in enumerate(AREAS):
        area = areas[slug]
        username = "director" if slug == DEMO_DIRECTOR_AREA else f"direktoer{number:05d}"
        if area.director_id is None:
            area.director = people[username]
            area.save(update_fields=["director"])
        grants.append((permissions.DIRECT_AREA, people[username], area))

    members = [people["council"]] + [people[f"byraad{n:05d}"] for n in range(1, COUNCIL_SIZE)]
    CouncilMembership.objects.bulk_create(
        [CouncilMembership(council=council, person=person) for person in members],
        ignore_conflicts=True,
    )
    grants.extend((permissions.SIT_ON_COUNCIL, person, council) for person in members)
    memberships = []
    for index, (_name, slug, _kind, seats) in enumerate(COMMITTEES):
        committee = committees[slug]
        # The demo council member sits on (but does not chair) Skole- og Uddannelsesudvalget.
        others = members[1:]
        seated = [others[(index * 4 + offset) % len(others)] for offset in range(seats)]
        if slug == DEMO_COUNCIL_COMMITTEE:
            seated[-1] = people["council"]
        for position, person in enumerate(seated):
            chair = position == 0
            memberships.append(
                CommitteeMembership(
                    committee=committee,
                    person=person,
                    role=CommitteeMembership.Role.CHAIR
                    if chair
                    else CommitteeMembership.Role.MEMBER,
                )
            )
            grants.append((permissions.SIT_ON_COMMITTEE, person, committee))
            if chair:
                grants.append((permissions.CHAIR_COMMITTEE, person, committee))
    CommitteeMembership.objects.bulk_create(memberships, ignore_conflicts=True)
    permissions.bulk_grant(grants)

    admin = people["admin"]
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    permissions.grant_administration(admin)
    return created
