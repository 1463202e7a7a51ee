"""Reading agreements: the content of an agreement (live or frozen), its history, the comparisons.

An agreement's content is one plain dict, the same whether it is read from the live rows of a
draft or from a frozen version: the page, the signing view, the comparison and the snapshot that
is hashed all use it, so what a signer sees is exactly what is signed.
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, FirstValue, Lag, Lead
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from goals.models import FollowUpReport, Goal, GoalFollowUp, Indicator
from randers import versions
from units.models import Area, Committee, Unit, User
from units.permissions import roles_of

from . import permissions
from .models import (
    Agreement,
    AgreementBook,
    AgreementPdf,
    AgreementSection,
    AgreementVersion,
    Comment,
    Consultation,
    DialogueMeeting,
    Edit,
    FollowUpPoint,
    MeetingItem,
    Period,
    SearchDocument,
    Signature,
    SignerRole,
    StateChange,
    canonical_json,
    content_sha256,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

CONTENT_FORMAT = 1


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _content_goals(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """Goals with what the content shows of them: the titles of their council goals (in the
    council goals' own order, as `council_goal_titles`) and their indicators (two queries)."""
    return (
        goals.select_related("common_goal", "carried_from")
        .annotate(
            council_goal_titles=ArrayAgg(
                "council_goals__title",
                order_by=("council_goals__order", "council_goals__title"),
                filter=Q(council_goals__isnull=False),
                default=Value([]),
            )
        )
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk"))
        )
        .order_by("order")
    )


def goals_for_content(agreement: Agreement) -> QuerySet[Goal]:
    return _content_goals(Goal.objects.filter(agreement=agreement))


def working_content(
    agreement: Agreement,
    *,
    sections: list[AgreementSection] | None = None,
    goals: list[Goal] | None = None,
) -> dict[str, Any]:
    """The agreement's current content, from its live rows (4 queries whatever its size; fewer
    when the sections, and the goals from `goals_for_content`, are already in memory)."""
    if sections is None:
        sections = list(agreement.sections.order_by("order"))
    if goals is None:
        goals = list(goals_for_content(agreement))
    return build_content(
        agreement,
        sections=sections,
        goals=[
            (goal, goal.council_goal_titles, list(goal.indicators.all()))  # type: ignore[attr-defined]
            for goal in goals
        ],
        consultations=list(agreement.consultations.order_by("body")),
    )


def build_content(
    agreement: Agreement,
    *,
    sections: list[AgreementSection],
    goals: list[tuple[Goal, list[str], list[Indicator]]],
    consultations: list[Consultation],
) -> dict[str, Any]:
    """The content dict from rows already in memory: (goal, council goal titles, indicators).

    Always in Danish, whatever the language of the person who freezes it: it is the public text.
    """
    with translation.override("da"):
        return _content(agreement, sections, goals, consultations)


def _content(
    agreement: Agreement,
    sections: list[AgreementSection],
    goals: list[tuple[Goal, list[str], list[Indicator]]],
    consultations: list[Consultation],
) -> dict[str, Any]:
    return _with_own_content(agreement, _rows_content(sections, goals, consultations))


def _with_own_content(agreement: Agreement, rows: dict[str, Any]) -> dict[str, Any]:
    """The content: what the agreement's own row, unit and period give, around what its rows give
    (`_rows_content`)."""
    unit = agreement.unit
    return {
        "format": CONTENT_FORMAT,
        "agreement": str(agreement.uuid),
        "unit": {
            "name": unit.name,
            "kind": str(unit.get_kind_display()),
            "area": unit.area.name,
            "committee": unit.committee.name,
            "leader": str(unit.leader) if unit.leader else "",
            "address": unit.address,
            "legal_basis": unit.legal_basis,
            "main_task": unit.main_task,
            "target_group": unit.target_group,
        },
        "period": {
            "name": agreement.period.name,
            "starts_on": agreement.period.starts_on.isoformat(),
            "ends_on": agreement.period.ends_on.isoformat(),
        },
        "sections": rows["sections"],
        "goals": rows["goals"],
        "budget": {"amount": _number(agreement.budget_amount), "note": agreement.budget_note},
        "consultations": rows["consultations"],
    }


def _rows_content(
    sections: list[AgreementSection],
    goals: list[tuple[Goal, list[str], list[Indicator]]],
    consultations: list[Consultation],
) -> dict[str, Any]:
    """What the agreement's sections, goals and consultations give its content."""
    return {
        "sections": [{"title": section.title, "body": section.body} for section in sections],
        "goals": [
            {
                "id": str(goal.uuid),
                "carried_from": str(goal.carried_from.uuid) if goal.carried_from else None,
                "kind": str(goal.get_kind_display()),
                "title": goal.title,
                "description": goal.description,
                "success_criterion": goal.success_criterion,
                "council_goals": sorted(council_goals),
                "common_goal": goal.common_goal.title if goal.common_goal else None,
                "indicators": [
                    {
                        "name": indicator.name,
                        "unit_of_measure": indicator.unit_of_measure,
                        "direction": str(indicator.get_direction_display()),
                        "baseline": _number(indicator.baseline),
                        "target": _number(indicator.target),
                    }
                    for indicator in indicators
                ],
            }
            for goal, council_goals, indicators in goals
        ],
        "consultations": [
            {
                "body": str(consultation.get_body_display()),
                "status": str(consultation.get_status_display()),
                "held_on": consultation.held_on.isoformat() if consultation.held_on else None,
                "statement": consultation.statement,
                "reason": consultation.reason,
            }
            for consultation in consultations
        ],
    }


# --- The content as pages show it -----------------------------------------------------------

# A cached page content is dropped after this long at most; a change gives it a new key at once.
PAGE_CONTENT_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class GoalKey:
    """What a page needs of a goal row besides its content: its key, for comments and
    follow-ups."""

    pk: int
    uuid: str
    carried_from_id: int | None


@dataclass
class PageContent:
    """An agreement's current content as a page shows it, with the keys of its section and goal
    rows in the content's order (comments attach to them)."""

    content: dict[str, Any]
    section_ids: list[int]
    goals: list[GoalKey]


def page_content(agreement: Agreement) -> PageContent:
    """The agreement's current content for a page to show (never to freeze or sign: that reads
    the live rows, `working_content`).

    What the sections, goals and consultations give is read from the cache while the agreement's
    content version is the one read with the agreement (`content_number`, from
    `Agreement.objects.for_page`; agreements/migrations/0007_content_version.py); the rest comes
    from the agreement, unit and period the page has read already. No query then, else 4."""
    number = getattr(agreement, "content_number", None)
    key = f"agreement-content:{agreement.pk}:{number}"
    rows = cache.get(key) if number is not None else None
    with translation.override("da"):  # the content is always in Danish: the public text
        if rows is None:
            rows = _page_rows(agreement)
            if number is not None:
                cache.set(key, rows, PAGE_CONTENT_SECONDS)
        content = _with_own_content(agreement, rows)
    return PageContent(content=content, section_ids=rows["section_ids"], goals=rows["goal_keys"])


def _page_rows(agreement: Agreement) -> dict[str, Any]:
    sections = list(agreement.sections.order_by("order"))
    goals = list(goals_for_content(agreement))
    rows = _rows_content(
        sections,
        [
            (goal, goal.council_goal_titles, list(goal.indicators.all()))  # type: ignore[attr-defined]
            for goal in goals
        ],
        list(agreement.consultations.order_by("body")),
    )
    rows["section_ids"] = [section.pk for section in sections]
    rows["goal_keys"] = [GoalKey(goal.pk, str(goal.uuid), goal.carried_from_id) for goal in goals]
    return rows


# The models whose rows `agreement_for_page` returns, in its columns' order
# (agreements/migrations/0011_agreement_for_page_function.py); then the two versions.
_PAGE_MODELS: tuple[type[Model], ...] = (
    Agreement,
    Unit,
    Area,
    Committee,
    User,
    Period,
    AgreementVersion,
)
_PAGE_SQL = (
    "SELECT (r.agreement).*, (r.unit).*, (r.area).*, (r.committee).*, (r.leader).*,"
    " (r.period).*, (r.signed_version).*, r.content_number, r.data_version_read"
    " FROM agreement_for_page(%s) r"
)


def agreement_for_page(uuid: str) -> Agreement | None:
    """The agreement with what every page of it shows besides the content, as
    `Agreement.objects.for_page()` gives it (unit, area, committee, leader, period, signed
    version, `content_number`, `data_version_read`), in one query of a function that keeps its
    plan: the pages of one agreement are the most read, and the ORM's seven-table query cost
    them about 2.5 ms to compile, parse and plan for 0.1 ms of work. None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_SQL, [uuid])
        row = cursor.fetchone()
        columns = [column.name for column in cursor.description]
    if row is None:
        return None
    rows: list[Any] = []
    start = 0
    for model in _PAGE_MODELS:
        fields = model._meta.concrete_fields
        end = start + len(fields)
        # By name, as a table's columns need not be in its model's order; a table that does
        # not match its model fails here, loudly.
        by_column = dict(zip(columns[start:end], row[start:end], strict=True))
        start = end
        if by_column[model._meta.pk.column] is None:  # a leader or signed version not there
            rows.append(None)
            continue
        values = []
        for model_field in fields:
            value = by_column[model_field.column]
            for converter in model_field.get_db_converters(connection):
                value = converter(value, model_field, connection)
            values.append(value)
        rows.append(model.from_db(connection.alias, [f.attname for f in fields], values))
    agreement, unit, area, committee, leader, period, signed_version = rows
    unit.area, unit.committee, unit.leader = area, committee, leader
    agreement.unit, agreement.period, agreement.signed_version = unit, period, signed_version
    agreement.content_number, agreement.data_version_read = row[start:]
    return agreement


@dataclass
class SignatureBlock:
    version: AgreementVersion
    signatures: list[Signature]
    missing_roles: list[str]

    @property
    def missing_labels(self) -> list[str]:
        return [str(SignerRole(role).label) for role in self.missing_roles]


def signature_block(
    agreement: Agreement, version: AgreementVersion | None
) -> SignatureBlock | None:
    """The signatures on a version and the required roles still missing."""
    return signature_blocks(agreement, [version])[0]


def signature_blocks(
    agreement: Agreement, versions: list[AgreementVersion | None]
) -> list[SignatureBlock | None]:
    """The signature blocks of several versions of the agreement (one query for all)."""
    wanted = [version for version in versions if version is not None]
    by_version: dict[int, list[Signature]] = {}
    if wanted:
        for signature in Signature.objects.filter(version__in=wanted).order_by("signed_at"):
            by_version.setdefault(signature.version_id, []).append(signature)
    blocks: list[SignatureBlock | None] = []
    for version in versions:
        if version is None:
            blocks.append(None)
            continue
        signatures = by_version.get(version.pk, [])
        signed_roles = {signature.role for signature in signatures}
        missing = [r for r in agreement.period.required_signers if r not in signed_roles]
        blocks.append(SignatureBlock(version=version, signatures=signatures, missing_roles=missing))
    return blocks


def latest_version(agreement: Agreement) -> AgreementVersion | None:
    return agreement.versions.order_by("-number").first()


def versions_of(agreement: Agreement) -> list[AgreementVersion]:
    return list(agreement.versions.select_related("created_by").order_by("-number"))


def history_of(agreement: Agreement) -> tuple[list[StateChange], list[Edit]]:
    state_changes = list(
        agreement.state_changes.select_related("actor", "version").order_by("-at", "-pk")
    )
    edits = list(agreement.edits.select_related("actor").order_by("-at", "-pk")[:200])
    return state_changes, edits


def previous_signed_agreement(agreement: Agreement) -> Agreement | None:
    """The same unit's signed agreement of the period before (for comparison and rollover)."""
    previous = agreement.period.previous()
    if previous is None:
        return None
    return (
        Agreement.objects.filter(unit=agreement.unit, period=previous, signed_version__isnull=False)
        .select_related("signed_version")
        .first()
    )


def previous_signed_version(agreement: Agreement) -> tuple[int, str] | None:
    """The id and content hash of the signed version of the same unit's agreement of the period
    before (two queries)."""
    previous = agreement.period.previous()
    if previous is None:
        return None
    return (
        AgreementVersion.objects.filter(
            agreement__unit=agreement.unit_id, agreement__period=previous
        )
        .filter(pk=F("agreement__signed_version_id"))
        .values_list("pk", "content_hash")
        .first()
    )


def consultations_by_body(agreement: Agreement) -> dict[str, Consultation | None]:
    existing = {c.body: c for c in agreement.consultations.all()}
    return {body: existing.get(body) for body in Consultation.Body.values}


# --- Comparing two contents, word by word ------------------------------------------------------


@dataclass
class Segment:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass
class FieldComparison:
    label: str
    segments: list[Segment]

    @property
    def changed(self) -> bool:
        return any(segment.kind != "same" for segment in self.segments)


@dataclass
class ItemComparison:
    title: str
    status: str  # "same", "changed", "added" or "removed"
    fields: list[FieldComparison]


@dataclass
class Comparison:
    sections: list[ItemComparison]
    goals: list[ItemComparison]
    budget: FieldComparison

    @property
    def changed(self) -> bool:
        items = [*self.sections, *self.goals]
        return self.budget.changed or any(item.status != "same" for item in items)


def word_diff(old: str, new: str) -> list[Segment]:
    """The changes from `old` to `new`, word by word (whitespace kept with its word)."""
    a, b = re.findall(r"\S+\s*|\s+", old or ""), re.findall(r"\S+\s*|\s+", new or "")
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("removed", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("added", "".join(b[j1:j2])))
    return segments


def _goal_text_fields(goal: dict[str, Any] | None) -> list[tuple[str, str]]:
    goal = goal or {}
    indicators = "; ".join(
        f"{i['name']}: {i['baseline'] or '–'} → {i['target'] or '–'} {i['unit_of_measure']}".strip()
        for i in goal.get("indicators", [])
    )
    return [
        (_("Title"), goal.get("title", "")),
        (_("Description"), goal.get("description", "")),
        (_("Success criterion"), goal.get("success_criterion", "")),
        (_("Council goals"), ", ".join(goal.get("council_goals", []))),
        (_("Indicators"), indicators),
    ]


def _compare_item(
    title: str, old: list[tuple[str, str]] | None, new: list[tuple[str, str]] | None
) -> ItemComparison:
    old_fields = dict(old or [])
    new_fields = dict(new or [])
    labels = [label for label, _value in (new or old or [])]
    fields = [
        FieldComparison(label, word_diff(old_fields.get(label, ""), new_fields.get(label, "")))
        for label in labels
    ]
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    else:
        status = "changed" if any(f.changed for f in fields) else "same"
    return ItemComparison(title=title, status=status, fields=fields)


# A cached comparison is dropped after this long at most; other texts have another key.
COMPARISON_SECONDS = 24 * 60 * 60


def cached_comparison(old: tuple[int, str], new: dict[str, Any]) -> Comparison:
    """`compare_contents` of a frozen version's content (its id and content hash) and another
    content, once per pair and language: the key is the SHA-256 of both contents, so nothing
    cached can be shown for another text (one query the first time, for the version's text)."""
    old_id, old_hash = old
    new_hash = content_sha256(canonical_json(new))
    key = f"comparison:{translation.get_language()}:{old_hash}:{new_hash}"
    comparison = cache.get(key)
    if comparison is None:
        text = AgreementVersion.objects.only("content_text").get(pk=old_id).content
        comparison = compare_contents(text, new)
        cache.set(key, comparison, COMPARISON_SECONDS)
    return comparison


def compare_contents(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """Sections matched by title; goals by identity, by what they were carried over from, or by
    title; each field compared word by word."""
    old_sections = {s["title"]: s for s in old.get("sections", [])}
    sections = [
        _compare_item(
            s["title"],
            [(_("Text"), old_sections[s["title"]]["body"])] if s["title"] in old_sections else None,
            [(_("Text"), s["body"])],
        )
        for s in new.get("sections", [])
    ]
    new_titles = {s["title"] for s in new.get("sections", [])}
    sections += [
        _compare_item(s["title"], [(_("Text"), s["body"])], None)
        for s in old.get("sections", [])
        if s["title"] not in new_titles
    ]

    old_goals = list(old.get("goals", []))
    goals = []
    for goal in new.get("goals", []):
        match = next(
            (
                g
                for g in old_goals
                if g.get("id") in (goal.get("id"), goal.get("carried_from"))
                or g["title"] == goal["title"]
            ),
            None,
        )
        if match is not None:
            old_goals.remove(match)
        goals.append(
            _compare_item(
                goal["title"], _goal_text_fields(match) if match else None, _goal_text_fields(goal)
            )
        )
    goals += [_compare_item(g["title"], _goal_text_fields(g), None) for g in old_goals]

    def budget_text(content: dict[str, Any]) -> str:
        budget = content.get("budget", {})
        amount = budget.get("amount")
        return f"{amount + ' kr.' if amount else '–'} {budget.get('note', '')}".strip()

    budget = FieldComparison(_("Budget frame"), word_diff(budget_text(old), budget_text(new)))
    return Comparison(sections=sections, goals=goals, budget=budget)


# --- The rules for submitting ------------------------------------------------------------------


@dataclass
class Problem:
    """Something that keeps the agreement from being submitted, named next to its field."""

    field: str  # "section-<id>", "goals", "goal-<uuid>", "consultation-<body>"
    message: str


def submission_problems(agreement: Agreement) -> list[Problem]:
    """The mandatory content of DESIGN.md: every section filled, at least one goal, each goal with
    a success criterion, the MED committee and the user board consulted or marked not applicable."""
    problems = [
        Problem(
            f"section-{section.pk}",
            _("The section “%(title)s” is empty.") % {"title": section.title},
        )
        for section in agreement.sections.order_by("order")
        if not section.body.strip()
    ]
    goals = list(agreement.goals.order_by("order"))
    if not goals:
        problems.append(Problem("goals", _("The agreement must have at least one goal.")))
    problems += [
        Problem(
            f"goal-{goal.uuid}",
            _("The goal “%(title)s” has no success criterion.") % {"title": goal.title},
        )
        for goal in goals
        if not goal.success_criterion.strip()
    ]
    recorded = set(agreement.consultations.values_list("body", flat=True))
    missing = {
        Consultation.Body.MED: _(
            "Record how the MED committee was consulted, or why it was not applicable."
        ),
        Consultation.Body.USER_BOARD: _(
            "Record how the user board was consulted, or why it was not applicable."
        ),
    }
    problems += [
        Problem(f"consultation-{body}", message)
        for body, message in missing.items()
        if body not in recorded
    ]
    return problems


# --- For the home page -------------------------------------------------------------------------


def agreements_by_unit_and_period(
    unit_ids: Iterable[int], periods: list[Period]
) -> dict[tuple[int, int], Agreement]:
    """The units' agreements of the periods, by (unit id, period id) (one query)."""
    agreements = Agreement.objects.filter(unit_id__in=list(unit_ids), period__in=periods)
    return {(agreement.unit_id, agreement.period_id): agreement for agreement in agreements}


def state_counts(agreements: QuerySet[Agreement]) -> list[tuple[str, str, int]]:
    """(state, label, count) for every state, in the lifecycle's order (one query, cached under
    the data's version and the selection's SQL)."""
    plain = agreements.order_by()
    sql, params = plain.values("pk").query.sql_with_params()
    return _labelled(versions.cached("states", (sql, params), lambda: _counts_by_state(plain)))


def _counts_by_state(agreements: QuerySet[Agreement]) -> dict[str, int]:
    return dict(agreements.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))


def _labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(state, str(label), counts.get(state, 0)) for state, label in Agreement.State.choices]


def contents_of(agreements: list[Agreement]) -> dict[int, dict[str, Any]]:
    """The current content of many agreements at once (4 queries whatever their number)."""
    ids = [agreement.pk for agreement in agreements]
    sections: dict[int, list[AgreementSection]] = {}
    for section in AgreementSection.objects.filter(agreement_id__in=ids).order_by("order"):
        sections.setdefault(section.agreement_id, []).append(section)
    goals: dict[int, list[tuple[Goal, list[str], list[Indicator]]]] = {}
    for goal in _content_goals(Goal.objects.filter(agreement_id__in=ids)):
        goals.setdefault(goal.agreement_id, []).append(
            (goal, goal.council_goal_titles, list(goal.indicators.all()))  # type: ignore[attr-defined]
        )
    consultations: dict[int, list[Consultation]] = {}
    for consultation in Consultation.objects.filter(agreement_id__in=ids).order_by("body"):
        consultations.setdefault(consultation.agreement_id, []).append(consultation)
    return {
        agreement.pk: build_content(
            agreement,
            sections=sections.get(agreement.pk, []),
            goals=goals.get(agreement.pk, []),
            consultations=consultations.get(agreement.pk, []),
        )
        for agreement in agreements
    }


def previous_signed_contents(agreements: list[Agreement]) -> dict[int, dict[str, Any]]:
    """For each agreement, the content of its unit's signed agreement of the period before, by the
    agreement's id (one query)."""
    found = (
        Agreement.objects.filter(pk__in=[agreement.pk for agreement in agreements])
        .only("pk")
        .with_previous_signed_text()
    )
    return {
        agreement.pk: json.loads(text)
        for agreement in found
        if (text := agreement.previous_signed_text) is not None  # type: ignore[attr-defined]
    }


# --- The overview of a period --------------------------------------------------------------------

REVIEW_STATES = [
    Agreement.State.SUBMITTED,
    Agreement.State.IN_DIALOGUE,
    Agreement.State.APPROVED,
    Agreement.State.SIGNED,
]
SORTS = {
    "enhed": ("unit__name", "pk"),
    "omraade": ("unit__area__name", "unit__name", "pk"),
    "udvalg": ("unit__committee__name", "unit__name", "pk"),
    "status": ("state_rank", "unit__name", "pk"),
    "opdateret": ("-updated_at", "pk"),
}


@dataclass
class OverviewFilter:
    period: Period
    area: Any = None
    committee: Any = None
    state: str = ""
    kind: str = ""
    text: str = ""
    overdue: bool = False
    sort: str = "enhed"


def overdue_step(today: date) -> Case:
    """Which deadline of the period the agreement has missed, as a code ('' if none)."""
    return Case(
        When(state=Agreement.State.DRAFT, period__submit_due__lt=today, then=Value("submit")),
        When(
            state=Agreement.State.SUBMITTED, period__dialogue_starts__lt=today, then=Value("review")
        ),
        When(
            state=Agreement.State.IN_DIALOGUE,
            period__dialogue_ends__lt=today,
            then=Value("approve"),
        ),
        When(state=Agreement.State.APPROVED, period__signing_due__lt=today, then=Value("sign")),
        default=Value(""),
        output_field=CharField(),
    )


def overview(visible: QuerySet[Agreement], chosen: OverviewFilter) -> QuerySet[Agreement]:
    """The period's agreements the person may see, filtered and sorted, with what each row shows
    (one query per page)."""
    ranks = {state: rank for rank, state in enumerate(Agreement.State.values)}
    return (
        _chosen(visible, chosen)
        .select_related("unit__area", "unit__committee", "period")
        .annotate(
            overdue=overdue_step(date.today()),
            state_rank=Case(
                *(When(state=state, then=Value(rank)) for state, rank in ranks.items()),
                output_field=IntegerField(),
            ),
        )
        .order_by(*SORTS.get(chosen.sort, SORTS["enhed"]))
    )


def _chosen(visible: QuerySet[Agreement], chosen: OverviewFilter) -> QuerySet[Agreement]:
    """The overview's agreements, filtered, without what the rows show."""
    agreements = visible.filter(period=chosen.period)
    if chosen.area is not None:
        agreements = agreements.filter(unit__area=chosen.area)
    if chosen.committee is not None:
        agreements = agreements.filter(unit__committee=chosen.committee)
    if chosen.state:
        agreements = agreements.filter(state=chosen.state)
    if chosen.kind:
        agreements = agreements.filter(unit__kind=chosen.kind)
    if chosen.text:
        agreements = agreements.filter(unit__name__icontains=chosen.text)
    if chosen.overdue:
        agreements = agreements.alias(missed=overdue_step(date.today())).exclude(missed="")
    return agreements


@dataclass
class AreaCount:
    area: str
    total: int
    submitted: int
    signed: int


def overview_counts(
    agreements: QuerySet[Agreement],
) -> tuple[list[tuple[str, str, int]], list[AreaCount]]:
    """Counts per state and per area of the (filtered) overview: two queries, cached under the
    data's version and the filter's SQL (`randers.versions`)."""
    plain = agreements.order_by()
    sql, params = plain.values("pk").query.sql_with_params()
    by_state, by_area = versions.cached("overview", (sql, params), lambda: _overview_counts(plain))
    return _labelled(by_state), by_area


def _overview_counts(agreements: QuerySet[Agreement]) -> tuple[dict[str, int], list[AreaCount]]:
    by_area = (
        agreements.values("unit__area__name")
        .annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=REVIEW_STATES)),
            signed=Count("pk", filter=Q(state=Agreement.State.SIGNED)),
        )
        .order_by("unit__area__name")
    )
    return _counts_by_state(agreements), [
        AreaCount(row["unit__area__name"], row["total"], row["submitted"], row["signed"])
        for row in by_area
    ]


def neighbours(
    visible: QuerySet[Agreement], chosen: OverviewFilter, agreement: Agreement
) -> tuple[Any, Any]:
    """The uuids of the agreements before and after this one in the reviewer's list, the
    overview's (one query); none when the agreement is not in the list."""
    if SORTS.get(chosen.sort, SORTS["enhed"]) == SORTS["enhed"]:
        return _neighbours_by_unit_name(_chosen(visible, chosen), agreement)
    agreements = overview(visible, chosen)
    order_by = [
        F(f[1:]).desc() if f.startswith("-") else F(f).asc()
        for f in (str(f) for f in agreements.query.order_by)
    ]
    row = (
        agreements.annotate(
            before=Window(Lag("uuid"), order_by=order_by),
            after=Window(Lead("uuid"), order_by=order_by),
            # A window over each row alone, so that the filter applies after the ones above.
            own=Window(FirstValue("pk"), partition_by=[F("pk")]),
        )
        .filter(own=agreement.pk)
        .values_list("before", "after")
        .first()
    )
    return row if row is not None else (None, None)


def _neighbours_by_unit_name(
    agreements: QuerySet[Agreement], agreement: Agreement
) -> tuple[Any, Any]:
    """`neighbours` in the default order (unit name, then id) without numbering the whole list:
    the nearest agreement on either side, found by the index on unit names (one query)."""
    name, pk = agreement.unit.name, agreement.pk
    plain = agreements.order_by()

    def nearest(same_name: Q, other_name: Q, name_order: str, pk_order: str) -> Coalesce:
        return Coalesce(
            Subquery(plain.filter(same_name).order_by(pk_order).values("uuid")[:1]),
            Subquery(plain.filter(other_name).order_by(name_order, pk_order).values("uuid")[:1]),
            output_field=UUIDField(),
        )

    row = (
        Agreement.objects.filter(pk=pk)
        .annotate(
            listed=Exists(plain.filter(pk=pk)),
            before=nearest(
                Q(unit__name=name, pk__lt=pk), Q(unit__name__lt=name), "-unit__name", "-pk"
            ),
            after=nearest(
                Q(unit__name=name, pk__gt=pk), Q(unit__name__gt=name), "unit__name", "pk"
            ),
        )
        .values_list("listed", "before", "after")
        .first()
    )
    if row is None or not row[0]:
        return None, None
    return row[1], row[2]


# --- Comments ------------------------------------------------------------------------------------


@dataclass
class Threads:
    """An agreement's comment threads the reader may see, by where they were written."""

    general: list[Comment]
    by_section: dict[int, list[Comment]]
    by_goal: dict[int, list[Comment]]

    @property
    def open_count(self) -> int:
        places = [self.general, *self.by_section.values(), *self.by_goal.values()]
        return sum(1 for threads in places for thread in threads if thread.resolved_at is None)


def threads_for(agreement: Agreement, states: list[str], *, open_only: bool = False) -> Threads:
    """Comment threads (with their replies) written in the given states (two queries)."""
    comments = agreement.comments.filter(parent__isnull=True, written_in_state__in=states)
    if open_only:
        comments = comments.filter(resolved_at__isnull=True)
    threads = list(
        comments.select_related("author")
        .defer("author__password")  # the review caches them: no password hash in the cache
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Comment.objects.filter(written_in_state__in=states)
                .select_related("author")
                .defer("author__password")
                .order_by("created_at", "pk"),
            )
        )
        .order_by("created_at", "pk")
    )
    result = Threads(general=[], by_section={}, by_goal={})
    for thread in threads:
        if thread.section_id:
            result.by_section.setdefault(thread.section_id, []).append(thread)
        elif thread.goal_id:
            result.by_goal.setdefault(thread.goal_id, []).append(thread)
        else:
            result.general.append(thread)
    return result


# --- Dialogue meetings ---------------------------------------------------------------------------


def meetings_for(committee_ids: Iterable[int] | None) -> QuerySet[DialogueMeeting]:
    """Meetings, newest first, with their committee and agenda size; all if `committee_ids` is
    None."""
    meetings = DialogueMeeting.objects.select_related("committee").annotate(
        item_count=Count("items")
    )
    if committee_ids is not None:
        meetings = meetings.filter(committee_id__in=list(committee_ids))
    return meetings.order_by("-starts_at")


def meeting_items(
    meeting: DialogueMeeting, *, among: QuerySet[Agreement] | None = None
) -> list[MeetingItem]:
    """The agenda in order; with `among`, only the items of those agreements (the ones the
    reader may read: permissions.agreements_visible_to)."""
    items = meeting.items.all()
    if among is not None:
        items = items.filter(agreement__in=among)
    return list(
        items.select_related(
            "agreement__unit__area",
            "agreement__unit__committee",
            "agreement__unit__leader",
            "agreement__period",
        ).order_by("order")
    )


def decisions_on(agreement: Agreement) -> list[MeetingItem]:
    """The committee's recorded decisions on the agreement, for its page."""
    return list(
        agreement.meeting_items.exclude(decision=MeetingItem.Decision.PENDING)
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )


# --- Search --------------------------------------------------------------------------------------

_MARK_START, _MARK_STOP = "\u0002", "\u0003"


@dataclass
class Hit:
    document: SearchDocument
    snippet: str  # HTML: the text escaped, the matches in <mark>


class _Found(TypedDict):
    rank: float
    snippet: str


def search(
    documents: QuerySet[SearchDocument], text: str, *, limit: int = 50
) -> "QuerySet[WithAnnotations[SearchDocument, _Found]]":
    """Danish full-text search ("skoler" finds "skole") over documents the caller has already
    filtered to what the searcher may read; best first, with highlighted snippets (one query, run
    by `hits`)."""
    query = SearchQuery(text, config="danish", search_type="websearch")
    return (
        documents.filter(vector=query)
        .select_related("agreement__unit", "agreement__period")
        .only(  # what a hit shows; the vector and body are ranked and cut in the database
            "public",
            "kind",
            "title",
            "anchor",
            "agreement__uuid",
            "agreement__unit__name",
            "agreement__period__name",
        )
        .annotate(
            rank=SearchRank(F("vector"), query),
            snippet=SearchHeadline(
                "body",
                query,
                config="danish",
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "pk")[:limit]
    )


def hits(found: "QuerySet[WithAnnotations[SearchDocument, _Found]]") -> list[Hit]:
    """The documents `search` found, with their snippets made safe to show."""
    return [
        Hit(
            document=document,
            snippet=str(escape(document.snippet))
            .replace(_MARK_START, "<mark>")
            .replace(_MARK_STOP, "</mark>"),
        )
        for document in found
    ]


# --- What a PDF is made of ---------------------------------------------------------------------


@dataclass
class PdfSource:
    """One agreement content as it is printed: the content dict, its SHA-256, the state printed on
    the title page (`signed` for a signed version, which also prints its signatures) and the
    signer roles the signature block names. The stored PDF is keyed by (content_hash, state)."""

    agreement: Agreement
    content: dict[str, Any]
    content_hash: str
    state: str
    version: AgreementVersion | None
    signatures: list[Signature]
    required_roles: list[str]

    @property
    def is_signed(self) -> bool:
        return self.state == Agreement.State.SIGNED

    @property
    def required_labels(self) -> list[str]:
        return [str(SignerRole(role).label) for role in self.required_roles]


def pdf_source_for_version(
    version: AgreementVersion, agreement: Agreement | None = None
) -> PdfSource:
    """A frozen version: signed (with its signatures) when it is the agreement's signed version,
    else printed with the agreement's state, without signatures (they may still change)."""
    agreement = agreement or version.agreement
    signed = agreement.signed_version_id == version.pk
    return PdfSource(
        agreement=agreement,
        content=version.content,
        content_hash=version.content_hash,
        state=Agreement.State.SIGNED if signed else agreement.state,
        version=version,
        signatures=list(version.signatures.order_by("signed_at")) if signed else [],
        required_roles=list(agreement.period.required_signers),
    )


def pdf_source_for_reader(agreement: Agreement, user: Any) -> PdfSource:
    """The content the person reads on the agreement's page, as it is printed.

    A draft is printed from its live rows, keyed by the SHA-256 of the same canonical JSON that
    would be frozen (so every edit makes a new key, and an unchanged draft is rendered once).
    From submission on, the frozen version is printed: it is what is reviewed and signed. Those
    who may not read the working copy get the signed version in force, as on the page.
    """
    if not permissions.can_view_working_copy(user, agreement):
        assert agreement.signed_version is not None
        return pdf_source_for_version(agreement.signed_version, agreement)
    if agreement.state == Agreement.State.SIGNED:
        assert agreement.signed_version is not None
        return pdf_source_for_version(agreement.signed_version, agreement)
    version = latest_version(agreement)
    if agreement.state != Agreement.State.DRAFT and version is not None:
        source = pdf_source_for_version(version, agreement)
        source.state = agreement.state
        source.signatures = []
        return source
    content = working_content(agreement)
    return PdfSource(
        agreement=agreement,
        content=content,
        content_hash=content_sha256(canonical_json(content)),
        state=agreement.state,
        version=None,
        signatures=[],
        required_roles=list(agreement.period.required_signers),
    )


def stored_pdf(source: PdfSource) -> "AgreementPdf | None":
    return (
        AgreementPdf.objects.filter(content_hash=source.content_hash, state=source.state)
        .select_related("agreement__unit", "agreement__period")
        .defer("data")
        .first()
    )


def book_agreements(
    period: Period, *, scope: str, scope_id: int | None, visible: QuerySet[Agreement]
) -> QuerySet[Agreement]:
    """The agreements of a book, in the book's order: area, committee, unit name."""
    agreements = visible.filter(period=period)
    if scope == AgreementBook.Scope.AREA and scope_id is not None:
        agreements = agreements.filter(unit__area_id=scope_id)
    elif scope == AgreementBook.Scope.COMMITTEE and scope_id is not None:
        agreements = agreements.filter(unit__committee_id=scope_id)
    return agreements.select_related(
        "unit__area", "unit__committee", "period", "signed_version"
    ).order_by("unit__area__name", "unit__name")


# --- Follow-up -------------------------------------------------------------------------------


@dataclass
class PointReports:
    """The reports on one follow-up point: the current one, an open draft, the superseded ones."""

    point: FollowUpPoint
    current: FollowUpReport | None = None
    draft: FollowUpReport | None = None
    earlier: list[FollowUpReport] = field(default_factory=list)


def reports_by_point(agreement: Agreement, *, include_drafts: bool) -> list[PointReports]:
    """Every follow-up point of the agreement's period with its reports (3 queries)."""
    points = [PointReports(point) for point in agreement.period.follow_up_points.order_by("due_on")]
    by_point = {entry.point.pk: entry for entry in points}
    reports = (
        FollowUpReport.objects.filter(agreement=agreement)
        .select_related("submitted_by", "seen_by", "point")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=GoalFollowUp.objects.select_related("goal").order_by("order", "pk"),
            )
        )
        .order_by("-submitted_at", "-pk")
    )
    if not include_drafts:
        reports = reports.exclude(state=FollowUpReport.State.DRAFT)
    for report in reports:
        entry = by_point.get(report.point_id)
        if entry is None:
            continue
        if report.is_draft:
            entry.draft = report
        elif report.is_current:
            entry.current = report
        else:
            entry.earlier.append(report)
    return points


def report_for_page(uuid: str) -> QuerySet[FollowUpReport]:
    return FollowUpReport.objects.select_related(
        "agreement__unit__area",
        "agreement__unit__committee",
        "agreement__period",
        "point",
        "submitted_by",
        "seen_by",
        "created_by",
        "supersedes",
        "superseded_by",
    ).filter(uuid=uuid)


def report_rows(report: FollowUpReport) -> list[tuple[GoalFollowUp, list[Indicator]]]:
    """The report's goals with their indicators (2 queries)."""
    rows = list(report.goals.select_related("goal").order_by("order", "pk"))
    indicators: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(
        goal_id__in=[row.goal_id for row in rows if row.goal_id]
    ).order_by("order", "pk"):
        indicators.setdefault(indicator.goal_id, []).append(indicator)
    return [(row, indicators.get(row.goal_id or 0, [])) for row in rows]


def goal_history(goal: Goal, *, include_drafts: bool) -> list[GoalFollowUp]:
    """Every report on the goal, the latest point and the latest report first (one query)."""
    rows = GoalFollowUp.objects.filter(goal=goal).select_related(
        "report__point", "report__submitted_by", "report__seen_by"
    )
    if not include_drafts:
        rows = rows.exclude(report__state=FollowUpReport.State.DRAFT)
    return list(rows.order_by("-report__point__due_on", "-report__submitted_at", "-pk"))


def period_in_force(on: date | None = None) -> Period | None:
    """The period whose agreements are in force on the day, else the latest that has begun."""
    on = on or date.today()
    return Period.objects.filter(starts_on__lte=on).order_by("-starts_on").first()


def latest_reports(agreements: Iterable[Agreement]) -> dict[tuple[int, int], FollowUpReport]:
    """Per (agreement id, point id): the open draft, else the current report (one query)."""
    found: dict[tuple[int, int], FollowUpReport] = {}
    for report in FollowUpReport.objects.filter(
        agreement__in=[agreement.pk for agreement in agreements]
    ).filter(Q(state=FollowUpReport.State.DRAFT) | Q(is_current=True)):
        key = (report.agreement_id, report.point_id)
        if key not in found or report.is_draft:
            found[key] = report
    return found


def with_signed_agreement(units: QuerySet[Unit], period: Period) -> QuerySet[Unit]:
    """Annotate `has_signed_agreement`: whether the unit has a signed agreement for the period
    that is not revoked (in the units' own query)."""
    signed = Agreement.objects.filter(
        unit=OuterRef("pk"), period=period, signed_version__isnull=False
    ).exclude(state=Agreement.State.REVOKED)
    return units.annotate(has_signed_agreement=Exists(signed))


def latest_follow_ups(goals: Sequence[Goal | GoalKey]) -> dict[int, GoalFollowUp | None]:
    """Each goal's latest submitted follow-up, or that of the goal it was carried over from (how
    the goal went last period), by goal id (one query)."""
    ids = {goal.pk for goal in goals} | {g.carried_from_id for g in goals if g.carried_from_id}
    latest = {
        follow_up.goal_id: follow_up
        for follow_up in GoalFollowUp.objects.filter(
            goal_id__in=ids, is_latest=True
        ).select_related("report__point")
    }
    return {goal.pk: latest.get(goal.pk) or latest.get(goal.carried_from_id or 0) for goal in goals}


# --- The annual cycle (årshjul) --------------------------------------------------------------

State = Agreement.State


@dataclass
class CycleStep:
    """One deadline of the period: how many of the units in view have done it, have it still
    ahead (due) or have missed it (overdue). `total` is None for a date that is no task."""

    key: str
    label: str
    on: date
    total: int | None = None
    done: int = 0
    past: bool = False

    @property
    def pending(self) -> int:
        return 0 if self.total is None else max(0, self.total - self.done)

    @property
    def due(self) -> int:
        return 0 if self.past else self.pending

    @property
    def overdue(self) -> int:
        return self.pending if self.past else 0


def cycle_units(user: Any) -> QuerySet[Unit] | None:
    """The units whose progress the person sees counted: everyone's for administrators and the
    council, else those they lead, direct or hold the dialogue with; None for no one."""
    roles = roles_of(user)
    units = Unit.objects.active()
    if roles.administrator or roles.council_member:
        return units
    if not (roles.led_units or roles.directed_areas or roles.committees):
        return None
    return units.filter(
        Q(pk__in=roles.led_units)
        | Q(area_id__in=roles.directed_areas)
        | Q(committee_id__in=roles.committees)
    )


def annual_cycle(period: Period, units: QuerySet[Unit] | None, today: date) -> list[CycleStep]:
    """The period's deadlines in order, each counted over `units` (two queries: the units with
    their agreement of the period, and the follow-up reports per point)."""
    counts: dict[str, int] = {}
    reported: dict[int, int] = {}
    if units is not None:
        agreement = "period_agreement"
        sent = [State.IN_DIALOGUE, State.APPROVED, State.SIGNED]
        counts = units.annotate(
            period_agreement=FilteredRelation("agreements", condition=Q(agreements__period=period))
        ).aggregate(
            total=Count("pk", distinct=True),
            started=Count("pk", filter=Q(**{f"{agreement}__isnull": False}), distinct=True),
            submitted=Count(
                "pk",
                filter=Q(**{f"{agreement}__submitted_at__isnull": False})
                & ~Q(**{f"{agreement}__state": State.DRAFT})
                | Q(**{f"{agreement}__signed_version__isnull": False}),
                distinct=True,
            ),
            sent=Count(
                "pk",
                filter=Q(**{f"{agreement}__state__in": sent})
                | Q(**{f"{agreement}__signed_version__isnull": False}),
                distinct=True,
            ),
            approved=Count(
                "pk",
                filter=Q(**{f"{agreement}__state__in": sent[1:]})
                | Q(**{f"{agreement}__signed_version__isnull": False}),
                distinct=True,
            ),
            signed=Count(
                "pk", filter=Q(**{f"{agreement}__signed_version__isnull": False}), distinct=True
            ),
        )
        reported = dict(
            FollowUpReport.objects.filter(
                point__period=period,
                state__in=[FollowUpReport.State.SUBMITTED, FollowUpReport.State.SEEN],
                agreement__unit__in=units,
            )
            .order_by()
            .values("point_id")
            .annotate(n=Count("agreement__unit_id", distinct=True))
            .values_list("point_id", "n")
        )
    done_of = {
        "draft_due": "started",
        "submit_due": "submitted",
        "dialogue_starts": "sent",
        "dialogue_ends": "approved",
        "signing_due": "signed",
    }
    steps = []
    for key, label, on in period.deadlines():
        step = CycleStep(key=key, label=label, on=on, past=on < today)
        if units is not None and key in done_of:
            step.total, step.done = counts["total"], counts[done_of[key]]
        elif units is not None and key.startswith("point_"):
            step.total, step.done = counts["signed"], reported.get(int(key[6:]), 0)
        steps.append(step)
    return steps
