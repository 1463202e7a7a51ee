"""The permission matrix: every route, for every member of the cast, GET and POST, every state.

The routes come from the URL configuration itself, so a route added without an entry in MATRIX
fails `test_every_route_has_an_entry`, naming the route. Each entry declares, per role and per
variant of the object the route serves (the agreement's state, the report's, the PDF's...), the
outcome DESIGN.md's "Who may do what" gives: 200, a redirect to the login page, 403 (may see, may
not act), 404 (may not see), 405 (wrong method), or for an allowed POST the success redirect (302)
or the form shown again (200/400, the probes post nothing).

Each probe runs in a savepoint that is rolled back, so an allowed POST leaves nothing behind for
the next probe, and the rows it wrote are counted from PostgreSQL's own per-transaction statistics
(pg_stat_xact_user_tables) before the rollback. Each agreement's text and each comment holds a
word of its own (matrix_world.marker): no response may show the word or the UUID of an agreement
the role may not see. A leak is a probe that was due a refusal but got a page or a redirect, that
changed any row (sessions and login records aside), or that showed such a word. The objects are
built once per module (matrix_world.py).

The test client does not enforce CSRF; the matrix is about authorisation, CSRF is Django's
middleware, on in every environment.
"""

import copy
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.randers.matrix_world import ROLES, STATES, World, comment_marker, marker

Expected = int | str
Rule = Callable[[str, str], Expected]

LOGIN = "login"  # a redirect to the login page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFUSED = {LOGIN, 403, 404}  # what a role that may not see or do gets
DENIED = {*REFUSED, 405}

ADMIN = {"administrator"}
OWNER = {"leader_a"}
AREA = {"director"}
COUNCIL = {"council_member", "committee_chair"}
CHAIR = {"committee_chair"}
SIGNED_IN = set(ROLES) - {"anonymous"}

# Who may open unit A's agreement in each state (DESIGN.md: read rows of "Who may do what").
SEES: dict[str, set[str]] = {
    "draft": OWNER | AREA | ADMIN,
    "submitted": OWNER | AREA | ADMIN,
    "in_dialogue": OWNER | AREA | ADMIN | COUNCIL,
    "approved": OWNER | AREA | ADMIN | COUNCIL,
    "signed": set(ROLES),
    "revoked": OWNER | AREA | ADMIN,  # revoked as a draft: never before the council
    "revoked_in_dialogue": OWNER | AREA | ADMIN | COUNCIL,
}

# Who may act on unit A's agreement in which states (the action rows of the same table).
MAY: dict[str, dict[str, set[str]]] = {
    "edit": {"draft": OWNER | ADMIN},
    "return": {"submitted": AREA | ADMIN, "in_dialogue": AREA | ADMIN},
    "send": {"submitted": AREA | ADMIN},
    "approve": {"in_dialogue": AREA | ADMIN | CHAIR},
    "sign": {"approved": OWNER | AREA},  # administrators never sign
    "amend": {"signed": OWNER | ADMIN},
    "revoke": {s: AREA | ADMIN for s in STATES if not s.startswith("revoked")},
    "comment": {
        **{s: OWNER | AREA | ADMIN for s in STATES if not s.startswith("revoked")},
        "in_dialogue": OWNER | AREA | ADMIN | COUNCIL,
    },
    # The working record: the unit, the area, administrators; the council while it is before it.
    "history": {
        **dict.fromkeys(STATES, OWNER | AREA | ADMIN),
        **dict.fromkeys(("in_dialogue", "approved", "signed"), OWNER | AREA | ADMIN | COUNCIL),
    },
    "read": {s: SEES[s] for s in STATES},
}


# --- Rules -------------------------------------------------------------------------------------


def everyone(code: Expected) -> Rule:
    return lambda role, variant: code


def signed_in(code: Expected) -> Rule:
    """Any signed-in person gets `code`; anonymous visitors are sent to the login page."""
    return lambda role, variant: LOGIN if role == "anonymous" else code


def only(allowed: set[str], ok: Expected, other: Expected = 403) -> Rule:
    """Those in `allowed` get `ok`, other signed-in people `other`."""
    return lambda role, variant: LOGIN if role == "anonymous" else ok if role in allowed else other


def per_role(ok: dict[str, Expected], other: Expected = 403) -> Rule:
    """Each role in `ok` its own outcome, other signed-in people `other`."""
    return lambda role, variant: LOGIN if role == "anonymous" else ok.get(role, other)


def per_variant(rules: dict[str, Rule]) -> Rule:
    return lambda role, variant: rules[variant](role, variant)


def agreement(
    ok: Expected, action: str = "read", *, public: bool = False, other: Expected = 403
) -> Rule:
    """An agreement page or action: 404 for those who may not see the agreement in its state,
    `ok` for those who may take `action` in that state, else `other`. Pages that are not public
    send anonymous visitors to the login page first."""

    def rule(role: str, state: str) -> Expected:
        if role == "anonymous" and not public:
            return LOGIN
        if role not in SEES[state]:
            return 404
        return ok if role in MAY[action].get(state, set()) else other

    return rule


# --- The routes' objects -------------------------------------------------------------------------


def by_state(**extra: Callable[[World, str], Any]) -> Callable[[World, str], dict[str, Any]]:
    """URL arguments of an agreement route, for the agreement in the given state."""

    def kwargs(world: World, state: str) -> dict[str, Any]:
        found = world.agreements[state]
        return {"uuid": found.uuid, **{name: make(world, state) for name, make in extra.items()}}

    return kwargs


def fixed(**values: Callable[[World], Any]) -> Callable[[World, str], dict[str, Any]]:
    return lambda world, variant: {name: make(world) for name, make in values.items()}


NO_ARGS: Callable[[World, str], dict[str, Any]] = lambda world, variant: {}  # noqa: E731


def first_goal(world: World, state: str) -> Any:
    return world.agreements[state].goals.order_by("order").first().uuid  # type: ignore[union-attr]


def first_section(world: World, state: str) -> Any:
    return world.agreements[state].sections.order_by("order").first().pk  # type: ignore[union-attr]


@dataclass(frozen=True)
class Entry:
    get: Rule
    post: Rule
    kwargs: Callable[[World, str], dict[str, Any]] = NO_ARGS
    variants: tuple[str, ...] = ("-",)
    query: str | Callable[[World], str] = ""


def on_agreements(
    get: Rule, post: Rule, query: str = "", **extra: Callable[[World, str], Any]
) -> Entry:
    return Entry(get=get, post=post, kwargs=by_state(**extra), variants=STATES, query=query)


def admin_page(get: Expected = 200, post: Expected = 405, **kwargs: Any) -> Entry:
    """An administration page: administrators only, 403 for everyone else signed in (a method
    the page does not take answers 405 before any permission is checked)."""
    return Entry(
        get=signed_in(405) if get == 405 else only(ADMIN, get),
        post=signed_in(405) if post == 405 else only(ADMIN, post),
        **kwargs,
    )


def IN_FORCE(world: World) -> str:
    """The signed agreement's period (no period is in force on the probes' dates)."""
    return f"?period={world.agreements['signed'].period.slug}"


# --- The matrix --------------------------------------------------------------------------------
# One line per route name: add a line when you add a route.

MATRIX: dict[str, Entry] = {
    # The project
    "home": Entry(get=signed_in(200), post=signed_in(200)),
    "healthz": Entry(get=everyone(200), post=everyone(405)),
    "favicon": Entry(get=everyone(301), post=everyone(405)),
    "login": Entry(get=everyone(200), post=everyone(200)),
    # Logging out sends everyone to the login page.
    "logout": Entry(get=signed_in(405), post=everyone(LOGIN)),
    "set-language": Entry(get=everyone(405), post=everyone(302)),
    "accessibility-statement": Entry(get=everyone(200), post=everyone(200)),
    # Units and people (units/permissions.py)
    "units:directory": Entry(get=signed_in(200), post=signed_in(405)),
    "units:detail": Entry(
        get=signed_in(200), post=signed_in(405), kwargs=fixed(slug=lambda w: w.org.unit_a.slug)
    ),
    "units:leader": admin_page(post=400, kwargs=fixed(slug=lambda w: w.org.unit_a.slug)),
    "units:move": admin_page(post=400, kwargs=fixed(slug=lambda w: w.org.unit_a.slug)),
    "units:close": admin_page(post=400, kwargs=fixed(slug=lambda w: w.org.unit_a.slug)),
    "units:people": admin_page(),
    "units:person-new": admin_page(post=400),
    "units:person": Entry(
        get=only(ADMIN, 200, 404),
        post=signed_in(405),
        kwargs=fixed(uuid=lambda w: w.objects["newcomer"].uuid),
    ),
    "units:add-role": Entry(
        get=signed_in(405),
        post=only(ADMIN, 400, 404),
        kwargs=fixed(uuid=lambda w: w.objects["newcomer"].uuid),
    ),
    "units:remove-role": Entry(
        get=signed_in(405),
        post=only(ADMIN, 302, 404),
        kwargs=fixed(uuid=lambda w: w.objects["newcomer"].uuid),
    ),
    "units:invite": Entry(
        get=signed_in(405),
        post=only(ADMIN, 302, 404),
        kwargs=fixed(uuid=lambda w: w.objects["newcomer"].uuid),
    ),
    "units:area": admin_page(post=400, kwargs=fixed(slug=lambda w: w.org.area_a.slug)),
    "units:remove-director": admin_page(405, 302, kwargs=fixed(slug=lambda w: w.org.area_a.slug)),
    "units:committee": admin_page(
        post=400, kwargs=fixed(slug=lambda w: w.org.school_committee.slug)
    ),
    "units:remove-committee-member": admin_page(
        405,
        302,
        kwargs=fixed(
            slug=lambda w: w.org.school_committee.slug, uuid=lambda w: w.cast.council_member.uuid
        ),
    ),
    "units:council": admin_page(post=400),
    "units:remove-council-member": admin_page(
        405, 302, kwargs=fixed(uuid=lambda w: w.cast.council_member.uuid)
    ),
    "units:import": admin_page(post=400),
    "units:import-template": Entry(
        get=only(ADMIN, 200),
        post=signed_in(405),
        kwargs=lambda w, v: {"extension": v},
        variants=("xlsx", "csv"),
    ),
    # The link's token is the key: whoever holds it sees the form (posting nothing shows it again).
    "units:set-password": Entry(
        get=everyone(200),
        post=everyone(200),
        kwargs=lambda w, v: w.objects["password_link"],
    ),
    # Onboarding and organisation changes (administrators)
    # Logging in (randers/accounts): the second step without a pending login goes back to the
    # login page; single sign-on answers 404 while it is not configured (as in the tests).
    "accounts:totp": Entry(get=everyone(LOGIN), post=everyone(LOGIN)),
    "accounts:oidc-start": Entry(get=everyone(404), post=everyone(405)),
    "accounts:oidc-callback": Entry(get=everyone(404), post=everyone(405)),
    "accounts:authenticator": admin_page(post=200),
    "accounts:settings": admin_page(post=200),
    "accounts:events": admin_page(),
    # The audit and access logs (randers/audit)
    "audit:log": admin_page(),
    "audit:access": admin_page(),
    "audit:access-csv": admin_page(),
    # Notifications: everyone their own; another's notification is not found.
    "notifications:list": Entry(get=signed_in(200), post=signed_in(405)),
    "notifications:mark-all-read": Entry(get=signed_in(405), post=signed_in(302)),
    "notifications:preferences": Entry(get=signed_in(200), post=signed_in(200)),
    "notifications:open": Entry(
        get=per_role({"leader_a": 302}, 404),
        post=signed_in(405),
        kwargs=fixed(uuid=lambda w: w.objects["notification"].uuid),
    ),
    "organisation:index": admin_page(),
    "organisation:onboard": admin_page(302),
    "organisation:onboard-review": admin_page(302),
    "organisation:onboard-create": admin_page(405, 302),
    "organisation:onboard-cancel": admin_page(405, 302),
    # A later step of the wizard sends back to the first one not yet filled in.
    "organisation:onboard-step": Entry(
        get=per_variant({"enheden": only(ADMIN, 200), "leder": only(ADMIN, 302)}),
        post=per_variant({"enheden": only(ADMIN, 400), "leder": only(ADMIN, 302)}),
        kwargs=lambda w, v: {"step": v},
        variants=("enheden", "leder"),
    ),
    "organisation:unit": admin_page(kwargs=fixed(slug=lambda w: w.org.unit_a.slug)),
    "organisation:merge": admin_page(post=400, kwargs=fixed(slug=lambda w: w.org.unit_a.slug)),
    "organisation:access": Entry(
        get=only(ADMIN, 200, 404),
        post=signed_in(405),
        kwargs=fixed(uuid=lambda w: w.objects["newcomer"].uuid),
    ),
    # Background jobs
    "jobs:list": admin_page(),
    "jobs:detail": Entry(
        get=lambda role, v: 200 if role in OWNER | ADMIN else 404,
        post=everyone(405),
        kwargs=fixed(uuid=lambda w: w.objects["job"].uuid),
    ),
    "jobs:retry": Entry(
        get=signed_in(405),
        post=only(OWNER | ADMIN, 302, 404),
        kwargs=fixed(uuid=lambda w: w.objects["job"].uuid),
    ),
    # Agreements: lists and search
    # Directors and committee members land on their area's or committee's selection.
    # The annual cycle: every signed-in person reads a period's cycle (counted over what they may
    # see); administrators list, open and lock periods.
    "agreements:periods": admin_page(),
    "agreements:open-period": admin_page(post=200),
    "agreements:cycle": Entry(
        get=signed_in(200),
        post=only(ADMIN, 302),  # the lock form: an empty grace window means no lock
        kwargs=fixed(slug=lambda w: w.agreements["signed"].period.slug),
    ),
    "agreements:overview": Entry(
        get=per_role(dict.fromkeys(AREA | {"other_director"} | COUNCIL, 302), other=200),
        post=signed_in(405),
    ),
    "agreements:overview-export": Entry(get=signed_in(200), post=signed_in(405)),
    "agreements:public-list": Entry(get=everyone(200), post=everyone(405)),
    # Searching for the words only the agreements' texts hold: each finds only what it may read.
    "agreements:search": Entry(get=everyone(200), post=everyone(405), query="?q=m%C3%A6rket"),
    "agreements:meetings": Entry(
        get=only(COUNCIL | AREA | {"other_director"} | ADMIN, 200), post=signed_in(405)
    ),
    "agreements:plan-meeting": Entry(
        get=per_variant(
            {
                "school": only(CHAIR | AREA | {"other_director"} | ADMIN, 200),
                "technical": only(AREA | {"other_director"} | ADMIN, 200),
            }
        ),
        post=per_variant(
            {
                "school": only(CHAIR | AREA | {"other_director"} | ADMIN, 400),
                "technical": only(AREA | {"other_director"} | ADMIN, 400),
            }
        ),
        kwargs=lambda w, v: {
            "committee_slug": (
                w.org.school_committee if v == "school" else w.org.technical_committee
            ).slug
        },
        variants=("school", "technical"),
    ),
    "agreements:meeting": Entry(
        get=only(COUNCIL | AREA | {"other_director"} | ADMIN, 200),
        post=only(CHAIR | AREA | {"other_director"} | ADMIN, 400, 403),
        kwargs=fixed(uuid=lambda w: w.objects["meeting"].uuid),
    ),
    "agreements:meeting-pack": Entry(
        get=only(COUNCIL | AREA | {"other_director"} | ADMIN, 200),
        post=signed_in(405),
        kwargs=fixed(uuid=lambda w: w.objects["meeting"].uuid),
    ),
    "agreements:resolve-comment": Entry(
        get=signed_in(405),
        post=per_variant(
            {
                # The leader's comment on the draft: hidden from all who may not read the draft.
                "draft": lambda role, v: (
                    LOGIN if role == "anonymous" else 302 if role in SEES["draft"] else 404
                ),
                # The council member's comment in dialogue: its author may resolve it too.
                "in_dialogue": lambda role, v: (
                    LOGIN
                    if role == "anonymous"
                    else 302
                    if role in OWNER | AREA | ADMIN | {"council_member"}
                    else 403
                    if role in SEES["in_dialogue"]
                    else 404
                ),
            }
        ),
        kwargs=lambda w, v: {"uuid": w.objects[f"{v}_comment"].uuid},  # see matrix_world
        variants=("draft", "in_dialogue"),
    ),
    # One agreement
    "agreements:detail": on_agreements(agreement(200, public=True), everyone(405)),
    "agreements:review": on_agreements(agreement(200, "read"), signed_in(405)),
    "agreements:add-comment": on_agreements(signed_in(405), agreement(302, "comment")),
    "agreements:edit": on_agreements(agreement(200, "edit"), signed_in(405)),
    "agreements:save-section": on_agreements(
        signed_in(405), agreement(400, "edit"), section_id=first_section
    ),
    "agreements:save-budget": on_agreements(signed_in(405), agreement(400, "edit")),
    "agreements:save-consultation": on_agreements(
        signed_in(405), agreement(400, "edit"), body=lambda w, s: "med"
    ),
    "agreements:add-goal": on_agreements(agreement(200, "edit"), agreement(400, "edit")),
    "agreements:edit-goal": on_agreements(
        agreement(200, "edit"), agreement(400, "edit"), goal_uuid=first_goal
    ),
    "agreements:remove-goal": on_agreements(
        signed_in(405), agreement(302, "edit"), goal_uuid=first_goal
    ),
    "agreements:move-goal": on_agreements(
        signed_in(405), agreement(302, "edit"), goal_uuid=first_goal
    ),
    "agreements:submit": on_agreements(signed_in(405), agreement(302, "edit")),
    "agreements:return": on_agreements(agreement(200, "return"), agreement(400, "return")),
    "agreements:send-to-committee": on_agreements(signed_in(405), agreement(302, "send")),
    "agreements:approve": on_agreements(agreement(200, "approve"), agreement(200, "approve")),
    "agreements:sign": on_agreements(agreement(200, "sign"), agreement(400, "sign")),
    "agreements:amend": on_agreements(signed_in(405), agreement(302, "amend")),
    "agreements:revoke": on_agreements(agreement(200, "revoke"), agreement(400, "revoke")),
    "agreements:history": on_agreements(agreement(200, "history"), signed_in(405)),
    "agreements:compare": on_agreements(
        agreement(200, "history"), signed_in(405), query="?fra=kladde&til=kladde"
    ),
    "agreements:pdf": on_agreements(agreement(302, public=True), everyone(405)),
    "agreements:pdf-file": Entry(
        get=per_variant(
            {
                "signed": everyone(200),
                "draft": lambda role, v: 200 if role in SEES["draft"] else 404,
            }
        ),
        post=everyone(405),
        kwargs=lambda w, v: {
            "uuid": w.agreements[v].uuid,
            "pdf_uuid": w.objects[f"{v}_pdf"].uuid,
        },
        variants=("signed", "draft"),
    ),
    "agreements:book": Entry(get=signed_in(200), post=signed_in(400)),
    "agreements:book-download": Entry(
        get=only(OWNER | ADMIN, 200, 404),
        post=signed_in(405),
        kwargs=fixed(uuid=lambda w: w.objects["book"].uuid),
    ),
    "agreements:verify": Entry(
        get=everyone(200),
        post=everyone(405),
        kwargs=fixed(uuid=lambda w: w.agreements["signed"].signed_version.uuid),  # type: ignore[union-attr]
    ),
    "agreements:start": Entry(
        get=only(OWNER | ADMIN, 200),
        post=only(OWNER | ADMIN, 200),  # posting nothing shows the form again
        kwargs=fixed(
            unit_slug=lambda w: w.org.unit_a.slug,
            period_slug=lambda w: w.objects["free_point"].period.slug,
        ),
    ),
    # Follow-up
    "agreements:follow-ups": on_agreements(
        per_variant({s: agreement(200) for s in STATES}), signed_in(405)
    ),
    "agreements:start-follow-up": Entry(
        get=signed_in(405),
        post=lambda role, v: (
            LOGIN if role == "anonymous" else 302 if role in OWNER | ADMIN else 403
        ),
        kwargs=fixed(
            uuid=lambda w: w.agreements["signed"].uuid,
            point_id=lambda w: w.objects["signed_point"].pk,
        ),
    ),
    "agreements:follow-up-overview": Entry(get=signed_in(200), post=signed_in(405)),
    # No period is in force on the probes' dates: everyone is sent back to the overview.
    "agreements:follow-up-download": Entry(
        get=signed_in(302),
        post=signed_in(405),
        query=lambda w: f"?point={w.objects['signed_point'].pk}",
    ),
    "agreements:follow-up-upload": Entry(get=signed_in(405), post=signed_in(400)),
    "agreements:follow-up": Entry(
        get=per_variant(
            {
                "submitted": signed_in(200),
                "draft": only(OWNER | ADMIN, 200, 404),
            }
        ),
        post=per_variant(
            {
                "submitted": signed_in(403),
                "draft": only(OWNER | ADMIN, 302, 404),
            }
        ),
        kwargs=lambda w, v: {"uuid": w.objects[f"{v}_report"].uuid},
        variants=("submitted", "draft"),
    ),
    "agreements:mark-seen": Entry(
        get=signed_in(405),
        post=only(AREA | ADMIN, 302),
        kwargs=fixed(uuid=lambda w: w.objects["submitted_report"].uuid),
    ),
    "agreements:goal-history": Entry(
        get=agreement(200),
        post=signed_in(405),
        kwargs=lambda w, state: {"goal_uuid": first_goal(w, state)},
        variants=STATES,
    ),
    # Goals across units
    "agreements:coverage": Entry(get=signed_in(200), post=signed_in(405)),
    "agreements:common-goals": admin_page(post=400),
    "agreements:council-goal": Entry(
        get=signed_in(200),
        post=signed_in(405),
        kwargs=fixed(slug=lambda w: w.objects["council_goal"].slug),
        query=IN_FORCE,
    ),
    "agreements:coverage-cell": Entry(
        get=signed_in(200),
        post=signed_in(405),
        kwargs=fixed(
            slug=lambda w: w.objects["council_goal"].slug, unit_slug=lambda w: w.org.unit_a.slug
        ),
        query=IN_FORCE,
    ),
    "agreements:unit-goals": Entry(
        get=signed_in(200),
        post=signed_in(405),
        kwargs=fixed(unit_slug=lambda w: w.org.unit_a.slug),
        query=IN_FORCE,
    ),
}

# Namespaces left out of the matrix, and why.
SKIPPED_NAMESPACES = {
    # Django's own admin: guarded by Django's staff flag and model permissions (tested by Django);
    # our ModelAdmins are read-only where it matters (tests/units/test_admin.py).
    "admin",
}
# Static files are served by WhiteNoise's middleware, outside the URL configuration.


# --- The walk ----------------------------------------------------------------------------------


def route_names(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[str]:
    """Every named route in the URL configuration, as `namespace:name`; an unnamed route as
    `<unnamed: pattern>`, which no entry can match."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from route_names(pattern.url_patterns, namespace)
        elif pattern.name:
            yield f"{prefix}{pattern.name}"
        else:
            yield f"<unnamed: {pattern.pattern}>"


ROUTES = sorted(set(route_names()))


@dataclass
class Probe:
    route: str
    variant: str
    role: str
    method: str
    url: str
    expected: Expected
    actual: Expected
    changed: dict[str, int]
    header_problems: list[str]
    shown: list[str]  # what the response shows of agreements and comments the role may not see

    @property
    def leak(self) -> bool:
        refused = self.actual in DENIED or self.actual == 400
        if self.shown:
            return True
        return self.expected in REFUSED and (not refused or bool(self.changed))

    def __str__(self) -> str:
        changed = f", changed {self.changed}" if self.changed else ""
        changed += f", shows {self.shown}" if self.shown else ""
        return (
            f"{self.method} {self.url} as {self.role} [{self.variant}]: "
            f"expected {self.expected}, got {self.actual}{changed}"
        )


# Sessions, and django-axes' record of logins and logouts, are written for anyone.
_WRITES = """
    SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables
    WHERE n_tup_ins + n_tup_upd + n_tup_del > 0
    AND relname NOT IN ('django_session', 'axes_accesslog')
"""


def _writes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(_WRITES)
        return dict(cursor.fetchall())


# --- Headers (checked on every probe's response: pages, redirects, refusals, files alike) ------

REQUIRED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
REQUIRED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def header_problems(response: Any) -> list[str]:
    """What the response lacks of the security headers (an empty list when all is well)."""
    problems = [
        f"{name}: {response.get(name)!r}, not {value!r}"
        for name, value in REQUIRED_HEADERS.items()
        if response.get(name) != value
    ]
    policy = response.get("Content-Security-Policy", "")
    directives = {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
        if name
    }
    problems += [
        f"Content-Security-Policy {name}: {directives.get(name)!r}, not {value!r}"
        for name, value in REQUIRED_POLICY.items()
        if directives.get(name) != value
    ]
    if "unsafe-" in policy:
        problems.append(f"Content-Security-Policy allows unsafe sources: {policy}")
    return problems


def outcome(response: Any) -> Expected:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return int(response.status_code)


def _forget_cached_session(client: Client) -> None:
    """Sessions are kept in Redis as well as in the database: drop the cached copy, so that the
    next request reads the session as the rollback left it."""
    key = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if key is not None:
        caches[settings.SESSION_CACHE_ALIAS].delete(SessionStore(key.value).cache_key)


def readable(response: Any) -> str:
    """The response's text; for an Excel workbook, the XML inside it."""
    if response.get("Content-Type", "").startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
            return "".join(
                workbook.read(name).decode(errors="replace")
                for name in workbook.namelist()
                if name.endswith(".xml")
            )
    return str(response.content.decode(errors="replace"))


def hidden_from(world: World, role: str) -> list[str]:
    """What no response to the role may show: the text and the address (UUID) of each agreement
    it may not see, and the comments written in those states."""
    words = []
    for state in STATES:
        if role not in SEES[state]:
            words += [marker(state), str(world.agreements[state].uuid)]
            if state in ("draft", "in_dialogue"):
                words.append(comment_marker(state))
    return words


def run_probe(
    client: Client, method: str, url: str, before: dict[str, int], forbidden: list[str]
) -> tuple[Expected, dict[str, int], dict[str, int], list[str], list[str]]:
    """One request in a savepoint that is rolled back: the outcome, the rows it wrote, and the
    transaction's write counts after it (which the rollback does not reset: the next probe's
    starting point). The client's cookies are put back too (a logout or a new session would not
    survive the rollback)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        problems: list[str] = []
        shown: list[str] = []
        try:
            response = client.get(url) if method == "GET" else client.post(url)
            actual = outcome(response)
            problems = header_problems(response)
            if not response.streaming:
                text = readable(response)
                shown = [word for word in forbidden if word in text]
        except Exception as error:  # a crash is an outcome of its own
            actual = f"exception {type(error).__name__}: {error}"
        after = _writes()
        transaction.set_rollback(True)
    client.cookies = cookies
    _forget_cached_session(client)
    changed = {table: n - before.get(table, 0) for table, n in after.items()}
    return actual, {table: n for table, n in changed.items() if n}, after, problems, shown


def probe_route(world: World, name: str) -> list[Probe]:
    entry = MATRIX[name]
    probes = []
    writes = _writes()
    hidden = {role: hidden_from(world, role) for role in ROLES}
    for variant in entry.variants:
        query = entry.query if isinstance(entry.query, str) else entry.query(world)
        url = reverse(name, kwargs=entry.kwargs(world, variant)) + query
        for role in ROLES:
            for method, rule in (("GET", entry.get), ("POST", entry.post)):
                actual, changed, writes, problems, shown = run_probe(
                    world.clients[role], method, url, writes, hidden[role]
                )
                expected = rule(role, variant)
                probes.append(
                    Probe(
                        name, variant, role, method, url, expected, actual, changed, problems, shown
                    )
                )
    return probes


TALLY: dict[str, int] = {"probes": 0, "leaks": 0}


def test_every_route_has_an_entry() -> None:
    missing = [name for name in ROUTES if name not in MATRIX]
    assert not missing, (
        "Routes without an entry in the permission matrix (tests/randers/test_permission_matrix.py"
        f" MATRIX): {', '.join(missing)}"
    )


def test_every_entry_is_a_route() -> None:
    assert sorted(set(MATRIX) - set(ROUTES)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name in ROUTES if name in MATRIX])
def test_route_answers_as_declared(world: World, name: str) -> None:
    probes = probe_route(world, name)
    leaks = [probe for probe in probes if probe.leak]
    TALLY["probes"] += len(probes)
    TALLY["leaks"] += len(leaks)
    wrong = [str(probe) for probe in probes if probe.actual != probe.expected]
    assert not leaks, "LEAKS:\n" + "\n".join(str(probe) for probe in leaks)
    assert not wrong, "\n".join(wrong)
    headers = [
        f"{probe.method} {probe.url} as {probe.role}: {p}"
        for probe in probes
        for p in probe.header_problems
    ]
    assert not headers, "\n".join(headers)


def test_matrix_tally(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last in this module: the count of probes and leaks (shown with -s)."""
    with capsys.disabled():
        print(f"\npermission matrix: {TALLY['probes']} probes, {TALLY['leaks']} leaks")
    assert TALLY["leaks"] == 0
