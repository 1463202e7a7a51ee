"""The pages the benchmark measures and the query-count test checks, as the demo accounts of
`seed_demo` see them (tests/benchmarks/measure.py, tests/test_query_counts.py)."""

from agreements.models import Agreement, DialogueMeeting, Period
from units.models import User

# The access log's INSERT on pages that show drafts, follow-up or a person (GDPR): a write every
# such reading needs, counted apart from the page's reads.
ACCESS_LOG_INSERT = 'INSERT INTO "audit_accessevent"'

# (page, demo account, URL, one of the main pages of the performance goals)
PAGES = [
    ("home (leader)", "leader", "/", True),
    ("home (director)", "director", "/", True),
    ("home (council)", "council", "/", True),
    ("home (admin)", "admin", "/", True),
    ("unit directory", "council", "/enheder/", True),
    ("unit directory, filtered", "council", "/enheder/?area=boern-og-skole&kind=daycare", True),
    ("unit directory, search", "council", "/enheder/?q=skole", True),
    ("overview (director)", "director", "/aftaler/?omraade=boern-og-skole", True),
    ("overview (admin)", "admin", "/aftaler/?periode={period}", True),
    ("agreement page", "leader", "{agreement}", True),
    ("review view", "director", "{agreement}gennemgang/?omraade=boern-og-skole", True),
    ("coverage matrix", "council", "/aftaler/maal/", True),
    (
        "coverage matrix, committee",
        "council",
        "/aftaler/maal/?committee=skole-og-uddannelsesudvalget",
        True,
    ),
    ("search (council)", "council", "/aftaler/soeg/?q=skoler", True),
    ("search (public)", None, "/aftaler/soeg/?q=trivsel", True),
    ("public list", None, "/aftaler/offentlige/", True),
    ("editor", "leader", "{agreement}rediger/", False),
    ("council goal", "council", "/aftaler/maal/en-baeredygtig-fremtid/", False),
    ("unit goals and indicators", "council", "/aftaler/enhed/tirsdalens-skole/maal/", False),
    ("follow-up (leader)", "leader", "/aftaler/opfoelgning/", False),
    ("follow-up (director)", "director", "/aftaler/opfoelgning/", False),
    ("follow-up (admin)", "admin", "/aftaler/opfoelgning/", False),
    ("unit page", "council", "/enheder/tirsdalens-skole/", False),
    ("administration", "admin", "/organisation/", False),
    ("people", "admin", "/organisation/personer/", False),
    ("people, search", "admin", "/organisation/personer/?q=hansen", False),
    ("person (leader)", "admin", "/organisation/personer/{leader}/", False),
    ("what a person may do (council)", "admin", "/organisation/personer/{council}/adgang/", False),
    ("unit page (admin)", "admin", "/enheder/tirsdalens-skole/", False),
    ("who may do what in a unit", "admin", "/organisation/enheder/tirsdalens-skole/", False),
    ("area (admin)", "admin", "/organisation/omraader/boern-og-skole/", False),
    ("committee (admin)", "admin", "/organisation/udvalg/skole-og-uddannelsesudvalget/", False),
    ("onboarding, first step", "admin", "/organisation/ny-enhed/enheden/", False),
    ("agreement history", "leader", "{agreement}historik/", False),
    ("compare with last period", "director", "{agreement}sammenlign/", False),
    ("agreement follow-ups", "leader", "{agreement}opfoelgning/", False),
    ("dialogue meetings", "council", "/aftaler/dialogmoeder/", False),
    ("dialogue meeting", "council", "/aftaler/dialogmoeder/{meeting}/", False),
    ("meeting pack", "council", "/aftaler/dialogmoeder/{meeting}/mappe/", False),
    ("common goals", "admin", "/aftaler/maal/faelles-maal/", False),
    ("agreement book", "admin", "/aftaler/aftalebog/", False),
    ("jobs", "admin", "/jobs/", False),
    ("annual cycle (director)", "director", "/aftaler/perioder/{period}/", False),
    ("annual cycle (admin)", "admin", "/aftaler/perioder/{period}/", False),
    ("periods", "admin", "/aftaler/perioder/", False),
    ("notifications", "leader", "/varsler/", False),
    ("audit log", "admin", "/organisation/revisionsspor/", False),
    (
        "audit log, one agreement",
        "admin",
        "/organisation/revisionsspor/?object={agreement_key}",
        False,
    ),
    ("access log, one person", "admin", "/organisation/adgangslog/?subject={leader}", False),
    ("log of logins", "admin", "/organisation/login/log/", False),
    ("login settings", "admin", "/organisation/login/", False),
]


def page_urls() -> list[tuple[str, str | None, str, bool]]:
    """PAGES with their placeholders filled in from the demo municipality."""
    agreement = Agreement.objects.select_related("period").get(
        unit__name="Tirsdalens Skole", period=Period.objects.relevant()[0]
    )
    people = {name: User.objects.get(username=name).uuid for name in ("leader", "council")}
    meeting = DialogueMeeting.objects.order_by("starts_at", "pk").first()
    assert meeting is not None, "the demo municipality has dialogue meetings"
    return [
        (
            page,
            username,
            template.format(
                agreement=agreement.get_absolute_url(),
                period=agreement.period.slug,
                meeting=meeting.uuid,
                agreement_key=f"agreements.agreement:{agreement.pk}",
                **people,
            ),
            main,
        )
        for page, username, template, main in PAGES
    ]
