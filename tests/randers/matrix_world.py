"""The objects the permission matrix and the header check probe, built once per module.

Unit A (area A, the school committee) has one agreement in every state, each in its own period
(one agreement per unit and period); the signed one has follow-up points, a draft and a submitted
report, stored PDFs, and comments; a dialogue meeting, a PDF job, an agreement book and a council
goal complete the set. Everything is made through the services, as the app makes it.
"""

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agreements import services
from agreements.models import (
    Agreement,
    AgreementBook,
    AgreementPdf,
    Comment,
    DialogueMeeting,
)
from goals.models import CouncilGoal, FollowUpReport
from randers.jobs import services as jobs
from randers.jobs.models import Job
from randers.middleware import RENEWED
from randers.notifications.models import Notification
from tests.agreements.conftest import add_points, complete, make_period, report_all
from tests.conftest import Cast, Organisation, build_cast, build_organisation
from tests.factories import UserFactory
from units.models import User

ROLES = (
    "anonymous",
    "leader_a",
    "leader_b",
    "director",
    "other_director",
    "council_member",
    "committee_chair",
    "administrator",
)

# The agreement variants: every state, and a revoked agreement that had been before the council.
STATES = (
    "draft",
    "submitted",
    "in_dialogue",
    "approved",
    "signed",
    "revoked",
    "revoked_in_dialogue",
)
_STEPS = {
    "draft": [],
    "submitted": ["submit"],
    "in_dialogue": ["submit", "send"],
    "approved": ["submit", "send", "approve"],
    "signed": ["submit", "send", "approve", "sign"],
    "revoked": ["revoke"],
    "revoked_in_dialogue": ["submit", "send", "revoke"],
}


def marker(state: str) -> str:
    """A word only the text of the agreement in this state holds (for the content checks)."""
    return f"XMARK{state.replace('_', '').upper()}X"


def comment_marker(state: str) -> str:
    """A word only the comment written in this state holds."""
    return f"XCOMMENT{state.replace('_', '').upper()}X"


@dataclass
class World:
    org: Organisation
    cast: Cast
    agreements: dict[str, Agreement]
    clients: dict[str, Client] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else self.cast.all()[role]


def _bring(agreement: Agreement, state: str, cast: Cast) -> Agreement:
    for step in _STEPS[state]:
        if step == "submit":
            services.submit_agreement(agreement, by=None)
        elif step == "send":
            services.send_to_committee(agreement, by=None)
        elif step == "approve":
            services.approve_agreement(agreement, by=None)
        elif step == "sign":
            services.sign_agreement(agreement, role="unit_leader", by=cast.leader_a)
            services.sign_agreement(agreement, role="director", by=cast.director)
        elif step == "revoke":
            services.revoke_agreement(agreement, reason="Byrådet har besluttet det.", by=None)
    agreement.refresh_from_db()
    return agreement


def _stored_pdf(agreement: Agreement, state: str) -> AgreementPdf:
    return AgreementPdf.objects.create(
        agreement=agreement,
        version=agreement.signed_version if state == "signed" else None,
        content_hash=hashlib.sha256(state.encode()).hexdigest(),
        state=state,
        pdf_sha256="0" * 64,
        size=8,
        pages=1,
        data=b"%PDF-1.7",
        render_seconds=0.1,
    )


def build_world() -> World:
    org = build_organisation()
    cast = build_cast(org)
    agreements: dict[str, Agreement] = {}
    for year, state in enumerate(STATES, start=2027):
        period = make_period(str(year), year)
        agreement = complete(services.create_agreement(org.unit_a, period, by=None))
        section = agreement.sections.order_by("order").first()
        assert section is not None
        services.update_section(
            section,
            body=f"Afsnittets tekst med mærket {marker(state)}.",
            expected_revision=section.revision,
            by=None,
        )
        agreements[state] = _bring(agreement, state, cast)
    world = World(org=org, cast=cast, agreements=agreements)
    objects = world.objects

    signed = agreements["signed"]
    mid_year, annual = add_points(signed.period)
    objects["submitted_report"] = report_all(services.start_follow_up(signed, mid_year, by=None))
    objects["draft_report"] = services.start_follow_up(signed, annual, by=None)
    extra_point, _ = add_points(agreements["revoked"].period)
    objects["free_point"] = add_points(make_period("2040", 2040))[0]
    objects["signed_point"] = annual
    objects["unused_point"] = extra_point

    objects["signed_pdf"] = _stored_pdf(signed, "signed")
    objects["draft_pdf"] = _stored_pdf(agreements["draft"], "draft")

    # Comments: the leader's on the draft, the council member's in dialogue.
    objects["draft_comment"] = services.add_comment(
        agreements["draft"],
        body=f"Et spørgsmål til udkastet {comment_marker('draft')}.",
        by=cast.leader_a,
    )
    objects["in_dialogue_comment"] = services.add_comment(
        agreements["in_dialogue"],
        body=f"Et spørgsmål fra udvalget {comment_marker('in_dialogue')}.",
        by=cast.council_member,
    )
    objects["meeting"] = services.plan_meeting(
        org.school_committee,
        title="Dialogmøde",
        starts_at=datetime(2026, 12, 1, 15, tzinfo=UTC),
        location="Rådhuset",
        agreements=[agreements["in_dialogue"]],
        by=None,
    )
    job = jobs.create_job(Job.Kind.AGREEMENT_PDF, by=cast.leader_a)
    jobs.fail_job(job, "Prøvet og fejlet.")
    objects["job"] = job
    book_job = jobs.create_job(Job.Kind.AGREEMENT_PDF, by=cast.leader_a)
    objects["book"] = AgreementBook.objects.create(
        period=signed.period,
        scope=AgreementBook.Scope.MUNICIPALITY,
        scope_name="Hele kommunen",
        requested_by=cast.leader_a,
        job=book_job,
        agreement_count=1,
        pages=1,
        size=8,
        pdf_sha256="0" * 64,
        data=b"%PDF-1.7",
    )
    objects["council_goal"] = CouncilGoal.objects.create(
        title="Alle børn lærer mere", slug="alle-boern-laerer-mere"
    )
    # A person without roles, whose pages the administrators keep, and their password link.
    newcomer = UserFactory.create(username="newcomer", first_name="Nina", last_name="Ny")
    objects["newcomer"] = newcomer
    objects["password_link"] = {
        "uidb64": urlsafe_base64_encode(force_bytes(newcomer.pk)),
        "token": default_token_generator.make_token(newcomer),
    }
    # A notification of unit A's leader, which only they may open.
    objects["notification"] = Notification.objects.create(
        recipient=cast.leader_a,
        kind=Notification.Kind.COMMENT,
        title="Ny kommentar",
        url=agreements["draft"].get_absolute_url(),
    )
    assert Comment.objects.count() == 2
    assert DialogueMeeting.objects.count() == 1
    assert FollowUpReport.objects.filter(state=FollowUpReport.State.DRAFT).count() == 1

    for role in ROLES:
        client = Client()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
            # Renewed far ahead: a renewal inside a probe would be rolled back with it, and each
            # probe would pay for it again (randers/middleware.py renews at most once a minute).
            session = client.session
            session[RENEWED] = int(time.time()) + 24 * 3600
            session.save()
        world.clients[role] = client
    return world
