"""The demo municipality's goals: the council's vision goals and committee policies (after Randers'
Vision 2030, DOMAIN.md section 3), common goals per area, and plausible local goals per kind of
unit. All invented in the spirit of published Randers agreements; nothing here is a real target.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from units.models import Area, Committee, Unit

from .models import CommonGoal, CouncilGoal, IndicatorDefinition

Kind = Unit.Kind

# (slug, title, kind, committee slug or None, description)
COUNCIL_GOALS = [
    (
        "en-baeredygtig-fremtid",
        "En bæredygtig fremtid",
        CouncilGoal.Kind.VISION,
        None,
        "Randers Kommune udvikler sig grønt: mindre CO2, mere genanvendelse og natur.",
    ),
    (
        "et-godt-liv-for-alle",
        "Et godt liv – for alle",
        CouncilGoal.Kind.VISION,
        None,
        "Alle borgere skal have mulighed for et godt liv med trivsel, sundhed og fællesskab.",
    ),
    (
        "flere-i-uddannelse-eller-beskaeftigelse",
        "Flere i uddannelse eller beskæftigelse",
        CouncilGoal.Kind.VISION,
        None,
        "Flere unge tager en uddannelse, og flere voksne er i job.",
    ),
    (
        "boerne-og-ungepolitikken",
        "Børne- og ungepolitikken: Alle børn trives og lærer",
        CouncilGoal.Kind.POLICY,
        "boerne-og-familieudvalget",
        "Børn og unge skal trives, lære og udvikle sig i fællesskaber.",
    ),
    (
        "skolepolitikken",
        "Skolepolitikken: Den inkluderende folkeskole",
        CouncilGoal.Kind.POLICY,
        "skole-og-uddannelsesudvalget",
        "Folkeskolen skal udfordre alle elever og rumme flere i almenundervisningen.",
    ),
    (
        "aeldrepolitikken",
        "Ældrepolitikken: Et trygt og aktivt seniorliv",
        CouncilGoal.Kind.POLICY,
        "omsorgsudvalget",
        "Ældre borgere skal leve trygt og aktivt og bevare selvbestemmelse.",
    ),
    (
        "sundhedspolitikken",
        "Sundhedspolitikken: Lighed i sundhed",
        CouncilGoal.Kind.POLICY,
        "sundheds-idraets-og-kulturudvalget",
        "Færre skal have livsstilssygdomme, og forskellen i sundhed skal mindskes.",
    ),
    (
        "kultur-og-fritidspolitikken",
        "Kultur- og fritidspolitikken: Fællesskaber for alle",
        CouncilGoal.Kind.POLICY,
        "sundheds-idraets-og-kulturudvalget",
        "Kultur og fritid skal være for alle og skabe fællesskaber på tværs.",
    ),
    (
        "socialpolitikken",
        "Socialpolitikken: Flere skal mestre eget liv",
        CouncilGoal.Kind.POLICY,
        "socialudvalget",
        "Borgere med særlige behov skal støttes til at mestre eget liv.",
    ),
    (
        "beskaeftigelsespolitik-2023",
        "Beskæftigelsespolitik 2023",
        CouncilGoal.Kind.POLICY,
        "beskaeftigelsesudvalget",
        "Flere ledige skal hurtigere i job, og virksomhederne skal have arbejdskraft.",
    ),
    (
        "klimaplanen",
        "Klimaplanen: CO2-neutral kommune",
        CouncilGoal.Kind.POLICY,
        "miljoe-og-teknikudvalget",
        "Kommunens egen drift skal være CO2-neutral, og affald skal genanvendes.",
    ),
    (
        # Adopted after the agreements were made: no unit carries it yet (a white spot).
        "strategi-for-digital-dannelse",
        "Strategi for digital dannelse i folkeskolen",
        CouncilGoal.Kind.POLICY,
        "skole-og-uddannelsesudvalget",
        "Eleverne skal kunne bruge digitale medier kritisk, kreativt og trygt.",
    ),
]

# The indicator library: shared definitions that the units of a kind report on alike, so that a
# unit's value can be set beside the median of its peers. Indicators of absolute counts (loans,
# visitors, tonnes) stay each unit's own. name: (data source, definition)
LIBRARY = {
    "Andel forældre, der svarer positivt": (
        "Forældretilfredshedsundersøgelsen",
        "Andel af forældrene, der er enige eller meget enige i, at overgangen var god.",
    ),
    "Andel børn, der ofte føler sig alene": (
        "Børne- og ungetrivselsmålingen",
        "Andel af børnene, der svarer »tit« eller »meget tit« til, om de føler sig alene.",
    ),
    "Antal forskellige medarbejdere pr. borger pr. 14 dage": (
        "Omsorgssystemet",
        "Gennemsnitligt antal forskellige medarbejdere hos en borger med daglig hjemmepleje.",
    ),
    "Andel fysisk aktive borgere": (
        "Sundhedsprofilen",
        "Andel af de adspurgte, der opfylder Sundhedsstyrelsens anbefalinger om fysisk aktivitet.",
    ),
    "Andel borgere, der når deres egne mål": (
        "Handleplanerne i fagsystemet",
        "Andel af de afsluttede delmål i borgernes handleplaner, der er nået.",
    ),
    "Genanvendelsesprocent for husholdningsaffald": (
        "Affaldsdatasystemet",
        "Andel af husholdningsaffaldet (vægt), der sendes til genanvendelse.",
    ),
    "Gennemsnitlig sagsbehandlingstid": (
        "ESDH-systemet",
        "Kalenderdage fra en sag modtages, til den er afgjort, i gennemsnit.",
    ),
    "Sygefravær": (
        "Fraværsstatistikken (HR)",
        "Fraværsdage på grund af egen sygdom i procent af de mulige arbejdsdage.",
    ),
    "Andel gode læsere i 2. klasse": (
        "De nationale test",
        "Andel af eleverne i 2. klasse, der er mindst gode til at læse.",
    ),
    "Elevfravær": (
        "Skolernes fraværsregistrering",
        "Elevernes samlede fravær i procent af skoledagene.",
    ),
    "Andel i uddannelse efter 9. klasse": (
        "Ungdommens Uddannelsesvejledning",
        "Andel af eleverne, der er i gang med en ungdomsuddannelse tre måneder efter 9. klasse.",
    ),
    "Alderssvarende sprog ved skolestart": (
        "Sprogvurderingen",
        "Andel af børnene, der vurderes til at have alderssvarende sprog ved skolestart.",
    ),
    "Forældretilfredshed": (
        "Forældretilfredshedsundersøgelsen",
        "Andel af forældrene, der samlet er tilfredse eller meget tilfredse.",
    ),
    "Dage til første samtale": (
        "Fagsystemet",
        "Kalenderdage fra en henvendelse, til familien har haft den første samtale.",
    ),
    "Andel uden hjælp efter forløb": (
        "Omsorgssystemet",
        "Andel af borgerne, der ikke modtager hjælp tre måneder efter et rehabiliteringsforløb.",
    ),
    "Forebyggelige indlæggelser pr. 1.000 ældre": (
        "Sundhedsdatastyrelsen",
        "Forebyggelige indlæggelser af borgere over 65 år pr. 1.000 borgere over 65 år.",
    ),
    "Unge, der ryger dagligt": (
        "Ungeprofilen",
        "Andel af de unge på ungdomsuddannelserne, der ryger dagligt.",
    ),
    "15-årige uden huller": (
        "Tandplejens journalsystem",
        "Andel af de 15-årige, der aldrig har haft huller i tænderne.",
    ),
    "Gennemsnitlig ledighed": (
        "Jobindsats.dk",
        "Gennemsnitligt antal uger, en ledighedsperiode varer.",
    ),
    "Andel i job efter tre år": (
        "Jobindsats.dk",
        "Andel af flygtningene, der er i ordinær beskæftigelse tre år efter ankomsten.",
    ),
    "Digitale henvendelser": (
        "Borgerservices henvendelsesstatistik",
        "Andel af borgernes henvendelser, der sker gennem de digitale løsninger.",
    ),
}


@dataclass(frozen=True)
class GoalTemplate:
    title: str
    description: str
    success_criterion: str
    council_goal: str
    indicator: tuple[str, str, str, Decimal, Decimal] | None  # name, unit, direction, base, target


def _g(
    title: str,
    description: str,
    criterion: str,
    council_goal: str,
    indicator: tuple[str, str, str, int | float, int | float] | None = None,
) -> GoalTemplate:
    return GoalTemplate(
        title,
        description,
        criterion,
        council_goal,
        None
        if indicator is None
        else (
            indicator[0],
            indicator[1],
            indicator[2],
            Decimal(str(indicator[3])),
            Decimal(str(indicator[4])),
        ),
    )


# Common goals of each area (fælles mål): (area slug, template)
COMMON_GOALS = [
    (
        "boern-og-skole",
        _g(
            "Flere børn trives i overgangen fra dagtilbud til skole",
            "Dagtilbud og skoler samarbejder om en tryg overgang med fælles overleveringer.",
            "85 % af forældrene svarer positivt om overgangen.",
            "boerne-og-ungepolitikken",
            ("Andel forældre, der svarer positivt", "%", "increase", 76, 85),
        ),
    ),
    (
        "boern-og-skole",
        _g(
            "Flere børn deltager i fællesskaber",
            "Alle børn skal opleve at høre til i et fællesskab i deres hverdag.",
            "Færre børn end i dag svarer, at de ofte føler sig alene.",
            "et-godt-liv-for-alle",
            ("Andel børn, der ofte føler sig alene", "%", "decrease", 9, 6),
        ),
    ),
    (
        "sundhed-kultur-og-omsorg",
        _g(
            "Borgere i hjemmeplejen oplever kontinuitet",
            "Færre forskellige medarbejdere kommer hos den enkelte borger.",
            "Højst 10 forskellige medarbejdere pr. borger pr. 14 dage.",
            "aeldrepolitikken",
            ("Antal forskellige medarbejdere pr. borger pr. 14 dage", "antal", "decrease", 14, 10),
        ),
    ),
    (
        "sundhed-kultur-og-omsorg",
        _g(
            "Flere borgere er fysisk aktive",
            "Enhederne bidrager til, at flere borgere bevæger sig i hverdagen.",
            "Andelen af fysisk aktive borgere stiger i sundhedsprofilen.",
            "sundhedspolitikken",
            ("Andel fysisk aktive borgere", "%", "increase", 62, 67),
        ),
    ),
    (
        "social-og-arbejdsmarked",
        _g(
            "Flere borgere mestrer eget liv",
            "Indsatserne tager udgangspunkt i borgerens egne mål og ressourcer.",
            "Flere borgere når de mål, de selv har sat i deres plan.",
            "socialpolitikken",
            ("Andel borgere, der når deres egne mål", "%", "increase", 48, 60),
        ),
    ),
    (
        "social-og-arbejdsmarked",
        _g(
            "Flere unge i uddannelse eller job",
            "Unge uden uddannelse får en sammenhængende indsats på tværs af enhederne.",
            "Færre unge under 30 år er på offentlig forsørgelse.",
            "flere-i-uddannelse-eller-beskaeftigelse",
            ("Unge under 30 på offentlig forsørgelse", "antal", "decrease", 1150, 950),
        ),
    ),
    (
        "miljoe-og-teknik",
        _g(
            "Mere husholdningsaffald genanvendes",
            "Bedre sortering ved kilden og tydelig vejledning til borgerne.",
            "Genanvendelsesprocenten for husholdningsaffald når 60 %.",
            "en-baeredygtig-fremtid",
            ("Genanvendelsesprocent for husholdningsaffald", "%", "increase", 52, 60),
        ),
    ),
    (
        "miljoe-og-teknik",
        _g(
            "Lavere CO2-udledning fra kommunens drift",
            "Flere køretøjer på el og mindre energiforbrug i bygningerne.",
            "Udledningen falder med 10 % i forhold til sidste år.",
            "klimaplanen",
            ("CO2-udledning fra egen drift", "ton", "decrease", 4200, 3780),
        ),
    ),
    (
        "stabene",
        _g(
            "Hurtigere og enklere sagsbehandling",
            "Digitale løsninger og klare arbejdsgange frigør tid til kerneopgaven.",
            "Sagsbehandlingstiden falder, og aftaleenhederne er tilfredse med servicen.",
            "et-godt-liv-for-alle",
            ("Gennemsnitlig sagsbehandlingstid", "dage", "decrease", 21, 14),
        ),
    ),
    (
        "stabene",
        _g(
            "Et godt arbejdsmiljø",
            "Trivsel og lavt sygefravær i hele organisationen.",
            "Sygefraværet falder til under 5 %.",
            "et-godt-liv-for-alle",
            ("Sygefravær", "%", "decrease", 5.8, 5),
        ),
    ),
]

LOCAL_GOALS: dict[str, list[GoalTemplate]] = {
    Kind.SCHOOL: [
        _g(
            "Bedre læsning i indskolingen",
            "Målrettet læseindsats og tæt samarbejde med forældrene.",
            "80 % af eleverne i 2. klasse læser alderssvarende.",
            "skolepolitikken",
            ("Andel gode læsere i 2. klasse", "%", "increase", 71, 80),
        ),
        _g(
            "Mindre elevfravær",
            "Tidlig opfølgning på fravær og tæt dialog med hjemmet.",
            "Elevfraværet er under 5 %.",
            "skolepolitikken",
            ("Elevfravær", "%", "decrease", 6.4, 5),
        ),
        _g(
            "Flere elever vælger en ungdomsuddannelse",
            "Uddannelsesvejledning fra 7. klasse og brobygning med erhvervsskolerne.",
            "95 % af eleverne er i gang med en uddannelse efter 9. klasse.",
            "flere-i-uddannelse-eller-beskaeftigelse",
            ("Andel i uddannelse efter 9. klasse", "%", "increase", 91, 95),
        ),
        _g(
            "Udeskole på alle årgange",
            "Naturen og lokalsamfundet bruges i undervisningen.",
            "Alle årgange har udeskole mindst én dag om måneden.",
            "en-baeredygtig-fremtid",
        ),
    ],
    Kind.DAYCARE: [
        _g(
            "Sprogstimulering for alle børn",
            "Dialogisk læsning og sprogvurdering af alle 3-årige.",
            "90 % af børnene har alderssvarende sprog ved skolestart.",
            "boerne-og-ungepolitikken",
            ("Alderssvarende sprog ved skolestart", "%", "increase", 84, 90),
        ),
        _g(
            "Mere udeliv og bevægelse",
            "Børnene er ude hver dag, hele året.",
            "Alle grupper har mindst to timers udeliv om dagen.",
            "sundhedspolitikken",
        ),
        _g(
            "Stærkere forældresamarbejde",
            "Forældremøder med tema og korte samtaler ved afhentning.",
            "85 % af forældrene er tilfredse med samarbejdet.",
            "et-godt-liv-for-alle",
            ("Forældretilfredshed", "%", "increase", 79, 85),
        ),
    ],
    Kind.FAMILY: [
        _g(
            "Hurtigere hjælp til udsatte familier",
            "Én indgang og kort ventetid.",
            "Familier får en første samtale inden for 5 dage.",
            "boerne-og-ungepolitikken",
            ("Dage til første samtale", "dage", "decrease", 9, 5),
        ),
    ],
    Kind.ELDER_CARE: [
        _g(
            "Flere ældre klarer sig selv længere",
            "Hverdagsrehabilitering før hjælp.",
            "Halvdelen af borgerne i rehabiliteringsforløb klarer sig uden hjælp bagefter.",
            "aeldrepolitikken",
            ("Andel uden hjælp efter forløb", "%", "increase", 42, 50),
        ),
        _g(
            "Meningsfuld hverdag på plejecentrene",
            "Aktiviteter efter beboernes ønsker.",
            "Beboerne deltager i mindst én aktivitet om ugen.",
            "et-godt-liv-for-alle",
        ),
        _g(
            "Færre indlæggelser, der kunne forebygges",
            "Tidlig opsporing af sygdomstegn.",
            "Forebyggelige indlæggelser falder med 10 %.",
            "sundhedspolitikken",
            ("Forebyggelige indlæggelser pr. 1.000 ældre", "antal", "decrease", 38, 34),
        ),
    ],
    Kind.HEALTH: [
        _g(
            "Flere røgfrie unge",
            "Rygestopforløb på ungdomsuddannelserne.",
            "Andelen af unge, der ryger dagligt, falder.",
            "sundhedspolitikken",
            ("Unge, der ryger dagligt", "%", "decrease", 11, 8),
        ),
        _g(
            "Bedre tandsundhed hos børn",
            "Forebyggende besøg i dagtilbud.",
            "Flere 15-årige uden huller.",
            "et-godt-liv-for-alle",
            ("15-årige uden huller", "%", "increase", 58, 65),
        ),
    ],
    Kind.LIBRARY: [
        _g(
            "Flere børn læser for sjov",
            "Læseklubber og sommerbogen i samarbejde med skolerne.",
            "Flere udlån af børnebøger end sidste år.",
            "kultur-og-fritidspolitikken",
            ("Udlån af børnebøger", "antal", "increase", 182000, 195000),
        ),
        _g(
            "Biblioteket som mødested",
            "Arrangementer for alle aldre og åbne rum.",
            "Flere besøgende end sidste år.",
            "kultur-og-fritidspolitikken",
            ("Besøgende", "antal", "increase", 410000, 440000),
        ),
    ],
    Kind.CULTURE: [
        _g(
            "Flere børn og unge deltager i kulturlivet",
            "Tilbud i samarbejde med skolerne.",
            "Flere deltagere under 18 år.",
            "kultur-og-fritidspolitikken",
            ("Deltagere under 18 år", "antal", "increase", 8200, 9000),
        ),
        _g(
            "Kultur i hele kommunen",
            "Aktiviteter i landdistrikterne.",
            "Mindst ti arrangementer uden for Randers by.",
            "et-godt-liv-for-alle",
        ),
    ],
    Kind.SOCIAL: [
        _g(
            "Flere borgere i beskæftigelse eller aktivitet",
            "Samarbejde med lokale virksomheder om skånejob.",
            "Flere borgere har en meningsfuld beskæftigelse.",
            "socialpolitikken",
            ("Borgere i beskæftigelse", "antal", "increase", 34, 42),
        ),
        _g(
            "Færre magtanvendelser",
            "Forebyggelse med faste rammer og efteruddannelse.",
            "Antallet af magtanvendelser falder med 20 %.",
            "socialpolitikken",
            ("Magtanvendelser", "antal", "decrease", 25, 20),
        ),
    ],
    Kind.EMPLOYMENT: [
        _g(
            "Kortere ledighed",
            "Tidlig virksomhedsrettet indsats.",
            "Den gennemsnitlige ledighedsperiode falder.",
            "beskaeftigelsespolitik-2023",
            ("Gennemsnitlig ledighed", "uger", "decrease", 18, 15),
        ),
        _g(
            "Flere flygtninge i job",
            "Sprog og praktik samtidig.",
            "Halvdelen er i job efter tre år.",
            "flere-i-uddannelse-eller-beskaeftigelse",
            ("Andel i job efter tre år", "%", "increase", 42, 50),
        ),
    ],
    Kind.TECHNICAL: [
        _g(
            "Flere grønne arealer med biodiversitet",
            "Vild natur i parker og rabatter.",
            "20 hektar omlagt til vild natur.",
            "en-baeredygtig-fremtid",
            ("Hektar vild natur", "ha", "increase", 12, 20),
        ),
        _g(
            "Bedre vedligeholdelse af veje",
            "Planlagt vedligehold frem for akut reparation.",
            "Vejkapitalen holdes på niveau.",
            "et-godt-liv-for-alle",
        ),
    ],
    Kind.STAFF: [
        _g(
            "Bedre styringsdata til aftaleenhederne",
            "Fælles ledelsesinformation.",
            "Alle aftaleenheder har adgang til deres nøgletal.",
            "et-godt-liv-for-alle",
        ),
        _g(
            "Flere digitale selvbetjeningsløsninger",
            "Borgerne betjener sig selv, når de kan.",
            "80 % af henvendelserne sker digitalt.",
            "et-godt-liv-for-alle",
            ("Digitale henvendelser", "%", "increase", 68, 80),
        ),
    ],
}


def _templates() -> list[GoalTemplate]:
    return [t for _area, t in COMMON_GOALS] + [t for ts in LOCAL_GOALS.values() for t in ts]


@transaction.atomic
def build_indicator_library() -> dict[str, IndicatorDefinition]:
    """Create (or find) the library's indicator definitions, by name."""
    measures = {t.indicator[0]: t.indicator for t in _templates() if t.indicator is not None}
    existing = {d.name: d for d in IndicatorDefinition.objects.filter(name__in=list(LIBRARY))}
    missing = [
        IndicatorDefinition(
            name=name,
            unit_of_measure=measures[name][1],
            direction=measures[name][2],
            data_source=source,
            definition=definition,
        )
        for name, (source, definition) in LIBRARY.items()
        if name not in existing
    ]
    for definition in IndicatorDefinition.objects.bulk_create(missing):
        existing[definition.name] = definition
    return existing


@transaction.atomic
def build_goals() -> tuple[dict[str, CouncilGoal], dict[str, list[CommonGoal]]]:
    """Create (or find) the council goals, the indicator library and the common goals of each
    area (with their library indicators)."""
    library = build_indicator_library()
    committees = {c.slug: c for c in Committee.objects.all()}
    council_goals = {}
    for order, (slug, title, kind, committee, description) in enumerate(COUNCIL_GOALS):
        council_goals[slug], _ = CouncilGoal.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "kind": kind,
                "description": description,
                "order": order,
                "committee": committees.get(committee) if committee else None,
            },
        )
    areas = {a.slug: a for a in Area.objects.all()}
    common: dict[str, list[CommonGoal]] = {}
    for area_slug, template in COMMON_GOALS:
        goal, created = CommonGoal.objects.get_or_create(
            area=areas[area_slug],
            title=template.title,
            defaults={
                "description": template.description,
                "success_criterion": template.success_criterion,
            },
        )
        if created:
            goal.council_goals.set([council_goals[template.council_goal]])
            if template.indicator is not None and template.indicator[0] in library:
                goal.indicators.set([library[template.indicator[0]]])
        common.setdefault(area_slug, []).append(goal)
    return council_goals, common
