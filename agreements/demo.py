"""The demo municipality's agreements: last period signed for most units, this period's in every
state, one revoked, the demo leader's draft ready to submit, and the newest unit without any.

Everything is derived from each unit's name, so building again creates only what is missing.
Rows are inserted in bulk (5,000 units in well under a minute); the frozen versions are built with
the same `selectors.build_content` as the app uses, so their hashes verify.
"""

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from goals.demo import (
    COMMON_GOALS,
    LOCAL_GOALS,
    GoalTemplate,
    build_goals,
    build_indicator_library,
)
from goals.models import (
    CommonGoal,
    CouncilGoal,
    FollowUpReport,
    FollowUpStatus,
    Goal,
    GoalFollowUp,
    Indicator,
    IndicatorDefinition,
    Measurement,
)
from goals.services import refresh_latest_status
from randers.notifications.models import Notification
from units.demo import DEMO_LEADER_UNIT
from units.models import Committee, CommitteeMembership, Unit, User

from .models import (
    Agreement,
    AgreementSection,
    AgreementVersion,
    Comment,
    Consultation,
    DialogueMeeting,
    FollowUpPoint,
    Period,
    SearchDocument,
    Signature,
    SignerRole,
    StateChange,
    TemplateSection,
    canonical_json,
    content_sha256,
)
from .selectors import build_content
from .services import SEARCH_VECTOR, plan_meeting, record_minutes, search_documents

State = Agreement.State

TEMPLATE = [
    (
        "Indledning",
        "Formålet med aftalen, perioden og parterne: enheden og Randers Byråd. Skriv kort; "
        "standardteksten må gerne genbruges.",
    ),
    (
        "Aftaleenheden",
        "Hovedopgave, målgruppe, lovgrundlag og enhedens faglige profil. Hvad kendetegner jer, og "
        "hvem er I her for?",
    ),
    (
        "Politiske visioner og mål",
        "Hvilke af byrådets visioner og udvalgets politikker rammer jeres arbejde? Henvis til "
        "byrådsmålene, som jeres mål understøtter.",
    ),
    (
        "Udviklingsmål",
        "En kort indledning til målene: hvorfor netop disse mål, og hvordan I følger op i dialog "
        "med udvalget.",
    ),
    (
        "Økonomiske rammer",
        "Budgettets hovedtal, særlige forhold og eventuelle afviklingsplaner. Budgetrammen angives "
        "i feltet nedenfor.",
    ),
]

BUDGET_RANGE: dict[str, tuple[int, int]] = {  # million kroner
    Unit.Kind.SCHOOL: (35, 95),
    Unit.Kind.DAYCARE: (6, 28),
    Unit.Kind.FAMILY: (8, 30),
    Unit.Kind.ELDER_CARE: (40, 160),
    Unit.Kind.HEALTH: (10, 45),
    Unit.Kind.LIBRARY: (5, 40),
    Unit.Kind.CULTURE: (3, 25),
    Unit.Kind.SOCIAL: (15, 80),
    Unit.Kind.EMPLOYMENT: (20, 90),
    Unit.Kind.TECHNICAL: (10, 70),
    Unit.Kind.STAFF: (15, 60),
}


def _score(text: str) -> int:
    """A stable number 0-99 for a name (the built-in hash changes between runs)."""
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % 100


def _at(day: date, hour: int = 10) -> datetime:
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, hour))
    return min(moment, timezone.now() - timedelta(minutes=5))


def _period(year: int) -> Period:
    period, created = Period.objects.get_or_create(
        slug=f"aftaler-{year}",
        defaults={
            "name": str(year),
            "starts_on": date(year, 1, 1),
            "ends_on": date(year, 12, 31),
            "draft_due": date(year - 1, 9, 15),
            "submit_due": date(year - 1, 10, 15),
            "dialogue_starts": date(year - 1, 11, 1),
            "dialogue_ends": date(year - 1, 12, 10),
            "signing_due": date(year - 1, 12, 20),
        },
    )
    if created:
        TemplateSection.objects.bulk_create(
            TemplateSection(period=period, order=order, title=title, guidance=guidance)
            for order, (title, guidance) in enumerate(TEMPLATE, start=1)
        )
        FollowUpPoint.objects.bulk_create(
            [
                FollowUpPoint(
                    period=period,
                    name=f"Midtvejsopfølgning {year}",
                    kind=FollowUpPoint.Kind.MID_YEAR,
                    due_on=date(year, 6, 15),
                ),
                FollowUpPoint(
                    period=period,
                    name=f"Årsopfølgning {year}",
                    kind=FollowUpPoint.Kind.ANNUAL,
                    due_on=date(year, 11, 15),
                ),
            ]
        )
    return period


def _section_bodies(
    unit: Unit, period: Period, council_goals: list[str], revised: bool
) -> list[str]:
    year = period.starts_on.year
    return [
        f"Aftalen er indgået mellem {unit.name} og Randers Byråd for perioden {period.name}. Den "
        f"beskriver, hvad {unit.name} vil opnå, og hvordan målene følges op i dialog med "
        f"{unit.committee.name}.",
        f"{unit.main_task}\n\n**Målgruppe:** {unit.target_group}\n\n**Lovgrundlag:** "
        f"{unit.legal_basis}",
        "Enhedens arbejde understøtter især byrådets mål:\n\n"
        + "\n".join(f"- {title}" for title in council_goals),
        (
            f"I {year} bygger vi videre på sidste års erfaringer. Vi har skærpet succeskriterierne "
            "og følger op på målene ved midtvejs- og årsopfølgningen."
            if revised
            else f"Målene for {year} er valgt i dialog med medarbejderne i MED-udvalget og, hvor "
            "der er en, brugerbestyrelsen. Vi følger op ved midtvejs- og årsopfølgningen."
        ),
        f"Enhedens budget for {year} fremgår af budgetrammen. Der er ingen afviklingsplan.",
    ]


@dataclass
class _Draft:
    """One agreement being built in memory, with the rows that belong to it."""

    agreement: Agreement
    sections: list[AgreementSection] = field(default_factory=list)
    goals: list[tuple[Goal, list[CouncilGoal], list[Indicator]]] = field(default_factory=list)
    consultations: list[Consultation] = field(default_factory=list)
    target_state: str = State.DRAFT
    signers: list[tuple[str, User]] = field(default_factory=list)


class _Builder:
    def __init__(
        self,
        council_goals: dict[str, CouncilGoal],
        common: dict[str, list[CommonGoal]],
        library: dict[str, IndicatorDefinition],
    ) -> None:
        self.council_goals = council_goals
        self.common = common
        self.library = library
        self.common_templates = {
            (area, template.title): template for area, template in COMMON_GOALS
        }
        self.drafts: list[_Draft] = []

    def goal_templates(self, unit: Unit) -> list[tuple[GoalTemplate, CommonGoal | None]]:
        commons = [
            (self.common_templates[(unit.area.slug, goal.title)], goal)
            for goal in self.common.get(unit.area.slug, [])
        ]
        local = LOCAL_GOALS[unit.kind]
        start = _score(unit.name) % len(local)
        count = min(len(local), 2)
        locals_ = [(local[(start + i) % len(local)], None) for i in range(count)]
        return [*commons, *locals_]

    def add(
        self,
        unit: Unit,
        period: Period,
        *,
        state: str,
        director: User | None,
        previous: _Draft | None = None,
        complete: bool = True,
    ) -> _Draft:
        rng = random.Random(f"{unit.name}-{period.slug}")  # noqa: S311 - demo data
        low, high = BUDGET_RANGE[unit.kind]
        agreement = Agreement(
            unit=unit,
            period=period,
            source=Agreement.Source.ROLLOVER if previous else Agreement.Source.TEMPLATE,
            previous=previous.agreement if previous else None,
            budget_amount=Decimal(rng.randint(low * 10, high * 10) * 100_000),
            budget_note="Inklusive overførsel af mindreforbrug fra sidste år."
            if rng.random() < 0.3
            else "",
            created_at=_at(period.draft_due - timedelta(days=30)),
        )
        draft = _Draft(agreement=agreement, target_state=state)
        templates = self.goal_templates(unit)
        if previous is not None and len(templates) > 2:
            templates = [*templates[:-1], (LOCAL_GOALS[unit.kind][-1], None)]
        titles = sorted({self.council_goals[t.council_goal].title for t, _c in templates})
        bodies = _section_bodies(unit, period, titles, revised=previous is not None)
        empty = not complete and _score(unit.name + "empty") < 60
        for order, ((title, guidance), body) in enumerate(zip(TEMPLATE, bodies, strict=True), 1):
            draft.sections.append(
                AgreementSection(
                    order=order,
                    title=title,
                    guidance=guidance,
                    body="" if empty and order in (3, 4) else body,
                )
            )
        previous_goals = {goal.title: goal for goal, _c, _i in previous.goals} if previous else {}
        for order, (template, common_goal) in enumerate(templates, start=1):
            carried = previous_goals.get(template.title)
            goal = Goal(
                order=order,
                kind=Goal.Kind.COMMON if common_goal else Goal.Kind.LOCAL,
                title=template.title,
                description=template.description,
                success_criterion=""
                if empty and order == len(templates)
                else template.success_criterion,
                common_goal=common_goal,
                carried_from=carried,
            )
            indicators = []
            if template.indicator is not None:
                name, measure, direction, baseline, target = template.indicator
                indicators.append(
                    Indicator(
                        definition=self.library.get(name),
                        name=name,
                        unit_of_measure=measure,
                        direction=direction,
                        baseline=baseline,
                        target=target,
                    )
                )
            draft.goals.append((goal, [self.council_goals[template.council_goal]], indicators))
        if complete or not empty:
            draft.consultations.append(
                Consultation(
                    body=Consultation.Body.MED,
                    status=Consultation.Status.CONSULTED,
                    held_on=period.draft_due - timedelta(days=10),
                    statement="MED-udvalget har drøftet aftalen og bakker op om målene.",
                )
            )
            draft.consultations.append(
                Consultation(
                    body=Consultation.Body.USER_BOARD,
                    status=Consultation.Status.CONSULTED,
                    held_on=period.draft_due - timedelta(days=5),
                    statement="Bestyrelsen støtter aftalen og ser frem til dialogen.",
                )
                if unit.has_user_board
                else Consultation(
                    body=Consultation.Body.USER_BOARD,
                    status=Consultation.Status.NOT_APPLICABLE,
                    reason="Enheden har ingen brugerbestyrelse.",
                )
            )
        if state in (State.APPROVED, State.SIGNED) and unit.leader is not None:
            draft.signers.append((SignerRole.UNIT_LEADER, unit.leader))
        if state == State.SIGNED and director is not None:
            draft.signers.append((SignerRole.DIRECTOR, director))
        self.drafts.append(draft)
        return draft

    @transaction.atomic
    def flush(self) -> int:
        """Insert everything built so far, in dependency order."""
        drafts, self.drafts = self.drafts, []
        Agreement.objects.bulk_create([d.agreement for d in drafts], batch_size=1000)
        sections, goals, consultations = [], [], []
        for d in drafts:
            for section in d.sections:
                section.agreement = d.agreement
                sections.append(section)
            for goal, _council, _indicators in d.goals:
                goal.agreement = d.agreement
                goals.append(goal)
            for consultation in d.consultations:
                consultation.agreement = d.agreement
                consultations.append(consultation)
        AgreementSection.objects.bulk_create(sections, batch_size=2000)
        Goal.objects.bulk_create(goals, batch_size=2000)
        Consultation.objects.bulk_create(consultations, batch_size=2000)
        links, indicators = [], []
        for d in drafts:
            for goal, council, goal_indicators in d.goals:
                links += [Goal.council_goals.through(goal=goal, councilgoal=c) for c in council]
                for indicator in goal_indicators:
                    indicator.goal = goal
                    indicators.append(indicator)
        Goal.council_goals.through.objects.bulk_create(links, batch_size=2000)
        Indicator.objects.bulk_create(indicators, batch_size=2000)

        documents: list[SearchDocument] = []
        for d in drafts:
            content = self._content(d)
            if d.target_state == State.SIGNED:
                documents += search_documents(d.agreement, content, public=True)
            else:
                documents += search_documents(d.agreement, content, public=False)
        versions: list[AgreementVersion] = []
        changes: list[StateChange] = []
        signatures: list[Signature] = []
        for d in drafts:
            agreement, period = d.agreement, d.agreement.period
            leader, director = d.agreement.unit.leader, self._director(d)
            steps: dict[str, list[tuple[str, str, User | None, date]]] = {
                State.SUBMITTED: [(State.DRAFT, State.SUBMITTED, leader, period.submit_due)],
                State.IN_DIALOGUE: [
                    (State.DRAFT, State.SUBMITTED, leader, period.submit_due),
                    (State.SUBMITTED, State.IN_DIALOGUE, director, period.dialogue_starts),
                ],
            }
            steps[State.APPROVED] = [
                *steps[State.IN_DIALOGUE],
                (State.IN_DIALOGUE, State.APPROVED, director, period.dialogue_ends),
            ]
            steps[State.SIGNED] = [
                *steps[State.APPROVED],
                (State.APPROVED, State.SIGNED, director, period.signing_due - timedelta(days=5)),
            ]
            steps[State.REVOKED] = [
                *steps[State.IN_DIALOGUE],
                (State.IN_DIALOGUE, State.REVOKED, director, period.dialogue_ends),
            ]
            path = steps.get(d.target_state, [])
            if not path:
                continue
            text = canonical_json(self._content(d))
            version = AgreementVersion(
                agreement=agreement,
                number=1,
                content_text=text,
                content_hash=content_sha256(text),
                created_by=leader,
                created_at=_at(period.submit_due),
            )
            versions.append(version)
            for from_state, to_state, actor, day in path:
                reason = (
                    "Byrådet har besluttet at nedlægge enheden som selvstændig aftaleenhed."
                    if to_state == State.REVOKED
                    else ""
                )
                changes.append(
                    StateChange(
                        agreement=agreement,
                        actor=actor,
                        from_state=from_state,
                        to_state=to_state,
                        reason=reason,
                        version=version if to_state != State.IN_DIALOGUE else None,
                        at=_at(day, hour=9 + len(changes) % 7),
                    )
                )
            agreement.state = d.target_state
            agreement.submitted_at = _at(period.submit_due)
            for offset, (role, signer) in enumerate(d.signers):
                signatures.append(
                    Signature(
                        version=version,
                        signer=signer,
                        role=role,
                        signer_name=str(signer),
                        signer_title=signer.job_title,
                        content_hash=version.content_hash,
                        signed_at=_at(period.signing_due - timedelta(days=8 - offset)),
                    )
                )
            if d.target_state == State.SIGNED:
                agreement.signed_at = _at(period.signing_due - timedelta(days=5))
        AgreementVersion.objects.bulk_create(versions, batch_size=500)
        for version in versions:
            version.agreement.signed_version = (
                version if version.agreement.state == State.SIGNED else None
            )
        StateChange.objects.bulk_create(changes, batch_size=2000)
        Signature.objects.bulk_create(signatures, batch_size=2000)
        Agreement.objects.bulk_update(
            [d.agreement for d in drafts],
            ["state", "submitted_at", "signed_at", "signed_version"],
            batch_size=1000,
        )
        SearchDocument.objects.bulk_create(documents, batch_size=2000)
        SearchDocument.objects.filter(agreement__in=[d.agreement for d in drafts]).update(
            vector=SEARCH_VECTOR
        )
        return len(drafts)

    def _content(self, draft: _Draft) -> dict[str, Any]:
        return build_content(
            draft.agreement,
            sections=draft.sections,
            goals=[(goal, [c.title for c in council], ind) for goal, council, ind in draft.goals],
            consultations=draft.consultations,
        )

    def _director(self, draft: _Draft) -> User | None:
        return draft.agreement.unit.area.director


def build_agreements(today: date | None = None) -> dict[str, int]:
    """Build (or complete) the agreements of last period and this one for every active unit,
    with the follow-up of the signed ones at the points that have passed and the measurements of
    their indicators."""
    today = today or date.today()
    year = today.year + (1 if today.month >= 9 else 0)  # from September, next year's are made
    last, current = _period(year - 1), _period(year)
    council_goals, common = build_goals()
    library = build_indicator_library()
    units = list(
        Unit.objects.active().select_related("area__director", "committee", "leader").order_by("pk")
    )
    if not units:
        return {"agreements": 0, "follow_ups": 0, "measurements": 0}
    newcomer = units[-1] if len(units) > 1 else None  # onboarded after the period opened
    existing = set(
        Agreement.objects.filter(period__in=[last, current]).values_list("unit_id", "period_id")
    )
    builder = _Builder(council_goals, common, library)
    signed_last: dict[int, _Draft] = {}
    for index, unit in enumerate(units):
        if unit is newcomer or (unit.pk, last.pk) in existing or index % 37 == 36:
            continue
        signed_last[unit.pk] = builder.add(
            unit, last, state=State.SIGNED, director=unit.area.director
        )
    created = builder.flush()

    revoked_unit = units[22].pk if len(units) > 30 else None
    for unit in units:
        if unit is newcomer or (unit.pk, current.pk) in existing:
            continue
        score = _score(unit.name + current.slug)
        if unit.name == DEMO_LEADER_UNIT:
            state, complete = State.DRAFT, True
        elif unit.pk == revoked_unit:
            state, complete = State.REVOKED, True
        elif score < 35:
            state, complete = State.DRAFT, score % 2 == 0
        elif score < 55:
            state, complete = State.SUBMITTED, True
        elif score < 70:
            state, complete = State.IN_DIALOGUE, True
        elif score < 80:
            state, complete = State.APPROVED, True
        else:
            state, complete = State.SIGNED, True
        builder.add(
            unit,
            current,
            state=state,
            director=unit.area.director,
            previous=signed_last.get(unit.pk),
            complete=complete,
        )
    created += builder.flush()
    _build_review(current)
    _build_notifications(current)
    follow_ups = [build_follow_ups(period, today=today) for period in (last, current)]
    return {
        "agreements": created,
        "follow_ups": sum(f["follow_ups"] for f in follow_ups),
        "measurements": sum(f["measurements"] for f in follow_ups),
    }


# --- Follow-up of the agreements in force ----------------------------------------------------

ASSESSMENTS: dict[str, list[str]] = {
    FollowUpStatus.NOT_STARTED: [
        "Indsatsen starter efter sommerferien, når den nye medarbejdergruppe er på plads.",
        "Vi har prioriteret andre mål i første halvår og går i gang i efteråret.",
    ],
    FollowUpStatus.IN_PROGRESS: [
        "Indsatsen er i gang som planlagt. De første tal peger i den rigtige retning.",
        "Medarbejderne har taget godt imod indsatsen, og vi følger tæt op i MED-udvalget.",
        "Vi er godt på vej, men det kræver fortsat fokus at fastholde udviklingen.",
    ],
    FollowUpStatus.DELAYED: [
        "Indsatsen er forsinket på grund af vakancer og sygefravær i personalegruppen.",
        "Vi er kommet senere i gang end planlagt, fordi ombygningen trak ud.",
    ],
    FollowUpStatus.MET: [
        "Målet er indfriet. Succeskriteriet er nået, og arbejdsgangene er forankret.",
        "Vi har nået målet og fortsætter indsatsen som en del af den daglige drift.",
    ],
    FollowUpStatus.PARTLY_MET: [
        "Målet er delvist indfriet: udviklingen går den rigtige vej, men vi når ikke helt "
        "succeskriteriet.",
        "Vi er kommet et godt stykke, men to afdelinger mangler stadig at komme med.",
    ],
    FollowUpStatus.NOT_MET: [
        "Målet er ikke indfriet. Vi har lært meget af forløbet og foreslår et justeret mål "
        "til næste aftale.",
    ],
}

REPLIES = [
    "Tak. Flot udvikling – del gerne jeres erfaringer med de andre enheder i området.",
    "Tak for opfølgningen. Kontakt gerne forvaltningen, hvis I har brug for støtte.",
]
REPLY_ON_DELAY = "Tak for en grundig opfølgning. Vi tager forsinkelsen op på dialogmødet."

MID_YEAR_STATUSES = [
    (FollowUpStatus.IN_PROGRESS, 55),
    (FollowUpStatus.DELAYED, 20),
    (FollowUpStatus.MET, 15),
    (FollowUpStatus.NOT_STARTED, 10),
]
ANNUAL_STATUSES = [
    (FollowUpStatus.MET, 35),
    (FollowUpStatus.PARTLY_MET, 25),
    (FollowUpStatus.IN_PROGRESS, 15),
    (FollowUpStatus.DELAYED, 10),
    (FollowUpStatus.NOT_MET, 10),
    (FollowUpStatus.NOT_STARTED, 5),
]


def _reply(rng: random.Random, entries: list[tuple[int, str, int, str, str]]) -> str:
    """The director's reply, to the point of the report's statuses."""
    late = {FollowUpStatus.DELAYED, FollowUpStatus.NOT_MET}
    return REPLY_ON_DELAY if any(entry[3] in late for entry in entries) else rng.choice(REPLIES)


def _pick(rng: random.Random, weighted: list[tuple[FollowUpStatus, int]]) -> str:
    return str(rng.choices([s for s, _w in weighted], weights=[w for _s, w in weighted])[0])


def _value(
    baseline: Decimal | None,
    target: Decimal | None,
    measure: str,
    progress: float,
    rng: random.Random,
) -> Decimal:
    """A plausible measured value: from the baseline towards the target, with some noise."""
    base, goal = float(baseline or 0), float(target or 0)
    spread = abs(goal - base) or abs(base) * 0.1 or 1.0
    value = max(base + (goal - base) * progress + rng.gauss(0, spread * 0.25), 0.0)
    if measure == "%":
        value = min(value, 100.0)
    places = Decimal(1) if abs(value) >= 100 else Decimal("0.1")
    return Decimal(str(value)).quantize(places)


def _copy(model: type[models.Model], columns: list[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert many rows with PostgreSQL's COPY (the largest demo tables; 5,000 units' worth in a
    second or two instead of the ORM's half a minute)."""
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)


def build_follow_ups(period: Period, *, today: date) -> dict[str, int]:
    """Follow-up of the period's signed agreements at the points that have passed: mid-year
    reports submitted and mostly seen (a few superseded by a corrected one), the annual one
    submitted, still a draft or not begun; and each unit's indicators measured over several
    years. Agreements that already have a report, and units that already have measurements, are
    left alone."""
    points = [p for p in period.follow_up_points.order_by("due_on") if p.due_on <= today]
    agreements = list(
        Agreement.objects.filter(period=period, state=State.SIGNED)
        .exclude(follow_up_reports__isnull=False)
        .select_related("unit__area")
        .order_by("pk")
    )
    goals: dict[int, list[tuple[int, str]]] = {}
    for goal_id, agreement_id, title in (
        Goal.objects.filter(agreement__in=agreements)
        .order_by("agreement_id", "order")
        .values_list("pk", "agreement_id", "title")
    ):
        goals.setdefault(agreement_id, []).append((goal_id, title))
    reports: list[FollowUpReport] = []
    rows: list[tuple[FollowUpReport, list[tuple[int, str, int, str, str]]]] = []
    for agreement in agreements:
        unit = agreement.unit
        rng = random.Random(f"follow-up-{unit.name}-{period.slug}")  # noqa: S311 - demo data
        for point in points:
            annual = point.kind != FollowUpPoint.Kind.MID_YEAR
            roll = rng.random()
            if unit.name == DEMO_LEADER_UNIT:
                state = FollowUpReport.State.DRAFT if annual else FollowUpReport.State.SEEN
            elif annual and roll < 0.15:
                continue  # not begun
            elif annual and roll < 0.3:
                state = FollowUpReport.State.DRAFT
            elif roll < (0.55 if annual else 0.85):
                state = FollowUpReport.State.SEEN
            else:
                state = FollowUpReport.State.SUBMITTED
            versions = 2 if state != FollowUpReport.State.DRAFT and rng.random() < 0.05 else 1
            earlier: FollowUpReport | None = None
            for version in range(versions):
                last = version == versions - 1
                submitted = _at(point.due_on - timedelta(days=6 - 2 * version), hour=14)
                seen = state == FollowUpReport.State.SEEN and last
                entries = []
                for order, (goal_id, title) in enumerate(goals.get(agreement.pk, []), start=1):
                    status = _pick(rng, ANNUAL_STATUSES if annual else MID_YEAR_STATUSES)
                    draft_gap = state == FollowUpReport.State.DRAFT and order == 1
                    assessment = "" if draft_gap else rng.choice(ASSESSMENTS[status])
                    entries.append((goal_id, title, order, status, assessment))
                report = FollowUpReport(
                    agreement=agreement,
                    point=point,
                    state=state if last else FollowUpReport.State.SUBMITTED,
                    is_current=last and state != FollowUpReport.State.DRAFT,
                    supersedes=earlier,
                    created_at=submitted - timedelta(days=3),
                    created_by_id=unit.leader_id,
                    submitted_at=None if state == FollowUpReport.State.DRAFT else submitted,
                    submitted_by_id=None if state == FollowUpReport.State.DRAFT else unit.leader_id,
                    seen_at=_at(point.due_on + timedelta(days=10)) if seen else None,
                    seen_by_id=unit.area.director_id if seen else None,
                    reply=_reply(rng, entries) if seen and rng.random() < 0.4 else "",
                )
                reports.append(report)
                rows.append((report, entries))
                earlier = report
    with transaction.atomic():
        # superseded reports first, so that the later ones can point at them
        FollowUpReport.objects.bulk_create(
            [r for r in reports if r.supersedes is None], batch_size=2000
        )
        for report in reports:
            if report.supersedes is not None:
                report.supersedes_id = report.supersedes.pk
        FollowUpReport.objects.bulk_create(
            [r for r in reports if r.supersedes is not None], batch_size=2000
        )
        _copy(
            GoalFollowUp,
            ["report_id", "goal_id", "goal_title", "order", "status", "assessment", "is_latest"],
            [(report.pk, *entry, False) for report, entries in rows for entry in entries],
        )
        refresh_latest_status(Goal.objects.filter(agreement__in=agreements))
    return {"follow_ups": len(reports), "measurements": build_measurements(period, today=today)}


def build_measurements(period: Period, *, today: date) -> int:
    """Each indicator of the period's signed agreements measured at the end of the three years
    before and twice during the period, for units without measurements yet."""
    year = period.starts_on.year
    measured = Measurement.objects.values("unit_id")
    indicators = (
        Indicator.objects.filter(
            goal__agreement__period=period,
            goal__agreement__state=State.SIGNED,
            baseline__isnull=False,
            target__isnull=False,
        )
        .exclude(goal__agreement__unit_id__in=measured)
        .order_by("pk")
        .values_list(
            "pk",
            "definition_id",
            "name",
            "unit_of_measure",
            "baseline",
            "target",
            "goal__agreement__unit_id",
            "goal__agreement__unit__name",
        )
    )
    moments = [
        (date(year - 3, 12, 1), -0.15),
        (date(year - 2, 12, 1), 0.0),
        (date(year - 1, 12, 1), 0.2),
        (date(year, 6, 1), 0.45),
        (date(year, 11, 1), 0.7),
    ]
    rows = []
    for pk, definition_id, name, measure, baseline, target, unit_id, unit_name in indicators:
        rng = random.Random(f"measure-{unit_name}-{name}")  # noqa: S311 - demo data
        skill = rng.uniform(-0.5, 0.6)  # how well this unit does
        for day, progress in moments:
            if day > today:
                continue
            value = _value(baseline, target, measure, progress * (1 + skill), rng)
            recorded = _at(day + timedelta(days=3))
            rows.append((unit_id, pk, definition_id, name, measure, day, value, recorded))
    with transaction.atomic():
        _copy(
            Measurement,
            [
                "unit_id",
                "indicator_id",
                "definition_id",
                "name",
                "unit_of_measure",
                "measured_on",
                "value",
                "recorded_at",
            ],
            rows,
        )
    return len(rows)


DIRECTOR_REMARKS = [
    "Kan succeskriteriet gøres mere målbart, så vi kan se fremskridtet ved årsopfølgningen?",
    "Hvordan hænger målet sammen med de fælles mål for området?",
    "Godt mål. Overvej en indikator, der kan følges hvert halve år.",
]
COUNCIL_REMARKS = [
    "Tak for en tydelig aftale. Hvordan inddrager I forældrene i arbejdet med målene?",
    "Jeg vil gerne høre mere om erfaringerne fra sidste år på dialogmødet.",
]


def _build_notifications(period: Period) -> None:
    """A few unread notifications for the demo accounts: the comments on the leader's
    agreement, and the director's agreements waiting for a signature (only where none exist)."""
    if Notification.objects.exists():
        return
    rows = []
    for comment in (
        Comment.objects.filter(agreement__period=period, parent=None)
        .exclude(author_id=F("agreement__unit__leader_id"))
        .filter(agreement__unit__leader__isnull=False)
        .select_related("agreement__unit", "author")
        .order_by("agreement__unit__name", "pk")[:60]
    ):
        agreement = comment.agreement
        rows.append(
            Notification(
                recipient_id=agreement.unit.leader_id or 0,
                kind=Notification.Kind.COMMENT,
                title=f"{comment.author} har kommenteret aftalen {period.name} for "
                f"{agreement.unit.name}",
                body=comment.body[:500],
                url=agreement.get_absolute_url() + "#comments",
                created_at=comment.created_at,
                email_skipped=True,
            )
        )
    for agreement in (
        Agreement.objects.filter(period=period, state=State.APPROVED)
        .filter(unit__area__director__isnull=False)
        .select_related("unit__area")
        .order_by("unit__name")
    ):
        rows.append(
            Notification(
                recipient_id=agreement.unit.area.director_id or 0,
                kind=Notification.Kind.SIGNATURE_NEEDED,
                title=f"Aftalen {period.name} for {agreement.unit.name} venter på din underskrift",
                body="Udvalget har godkendt den.",
                url=agreement.get_absolute_url(),
                created_at=_at(period.dialogue_ends),
                email_skipped=True,
            )
        )
    Notification.objects.bulk_create(rows)


def _build_review(period: Period) -> None:
    """Comments from directors and council members, and a dialogue meeting per committee with
    the agreements sent to it (only where none exist yet)."""
    if Comment.objects.filter(agreement__period=period).exists():
        return
    comments = []
    reviewed = (
        Agreement.objects.filter(period=period, state__in=[State.SUBMITTED, State.IN_DIALOGUE])
        .select_related("unit__area__director", "unit__committee")
        .prefetch_related("goals")
        .order_by("unit__name")
    )
    council = {
        membership.committee_id: membership.person
        for membership in CommitteeMembership.objects.filter(role="member").select_related("person")
    }
    for index, agreement in enumerate(reviewed):
        if index % 3:
            continue
        director = agreement.unit.area.director
        goals = list(agreement.goals.all())
        if director is not None and goals:
            comments.append(
                Comment(
                    agreement=agreement,
                    goal=goals[index % len(goals)],
                    author=director,
                    written_in_state=State.SUBMITTED,
                    body=DIRECTOR_REMARKS[index % 3],
                    created_at=_at(period.submit_due + timedelta(days=3)),
                )
            )
        member = council.get(agreement.unit.committee_id)
        if agreement.state == State.IN_DIALOGUE and member is not None:
            comments.append(
                Comment(
                    agreement=agreement,
                    author=member,
                    written_in_state=State.IN_DIALOGUE,
                    body=COUNCIL_REMARKS[index % 2],
                    created_at=_at(period.dialogue_starts),
                )
            )
    Comment.objects.bulk_create(comments, batch_size=2000)

    for committee in Committee.objects.order_by("name"):
        if DialogueMeeting.objects.filter(
            committee=committee, starts_at__year=period.dialogue_starts.year
        ).exists():
            continue
        on_agenda = list(
            Agreement.objects.filter(
                period=period,
                unit__committee=committee,
                state__in=[State.IN_DIALOGUE, State.APPROVED, State.SIGNED],
            )
            .select_related("unit")
            .order_by("unit__name")[:8]
        )
        if not on_agenda:
            continue
        meeting = plan_meeting(
            committee,
            title=f"Dialogmøde, {committee.name}",
            starts_at=_at(period.dialogue_starts + timedelta(days=14), hour=16),
            location="Rådhuset, mødelokale 2",
            agreements=on_agenda,
            by=None,
        )
        decided = {
            item.pk: ("approved", "Udvalget godkendte aftalen.")
            for item in meeting.items.select_related("agreement")
            if item.agreement.state in (State.APPROVED, State.SIGNED)
        }
        if decided:
            record_minutes(
                meeting,
                minutes="Udvalget drøftede aftalerne med lederne og medarbejderrepræsentanterne.",
                decisions=decided,
                by=None,
            )
