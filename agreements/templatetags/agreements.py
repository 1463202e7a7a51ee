from typing import Any

from django import template
from django.core.cache import cache
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from randers.links import link
from units.models import Unit

from .. import permissions
from ..models import Agreement, Period, canonical_json, content_sha256
from ..selectors import Segment

register = template.Library()

# Small components that lists show once per row are tags rather than included templates: an
# include costs about ten times as much, which the overview and review pages felt.

_STATE_BADGE: dict[str, str] = {
    Agreement.State.SUBMITTED: " badge-info",
    Agreement.State.IN_DIALOGUE: " badge-info",
    Agreement.State.APPROVED: " badge-warning",
    Agreement.State.SIGNED: " badge-success",
    Agreement.State.REVOKED: " badge-error",
}


# A rendered content is dropped after this long at most; another content has another key.
CONTENT_SECONDS = 24 * 60 * 60


@register.simple_tag
def agreement_content(content: dict[str, Any]) -> SafeString:
    """An agreement's content (live or frozen) as one readable document: agreements/content.html,
    rendered once per content and language. The key is the content's SHA-256, so a changed
    content is another key, and nothing cached can be shown for another text."""
    digest = content_sha256(canonical_json(content))
    key = f"agreement-content-html:{translation.get_language()}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("agreements/content.html", {"content": content})
        cache.set(key, html, CONTENT_SECONDS)
    return mark_safe(html)  # noqa: S308 (rendered by the template, which escapes the content)


@register.simple_tag
def state_badge(state: str, label: str | None = None) -> SafeString:
    """An agreement state as text in a badge; the colour only repeats the text. `label` defaults
    to the state's own name."""
    if label is None:
        label = str(Agreement.State(state).label)
    return format_html('<span class="badge{}">{}</span>', _STATE_BADGE.get(state, ""), label)


# The deadline behind each kind of overdue (the `overdue` annotation of the overview).
_OVERDUE = {
    "submit": ("submit_due", gettext_noop("submission, %(date)s")),
    "review": ("dialogue_starts", gettext_noop("to the committee, %(date)s")),
    "approve": ("dialogue_ends", gettext_noop("approval, %(date)s")),
    "sign": ("signing_due", gettext_noop("signing, %(date)s")),
}


@register.simple_tag
def overdue(step: str, period: Period) -> SafeString | str:
    """The deadline of the period an agreement has missed, in words (`step`: the agreement's
    `overdue` annotation of the overview)."""
    found = _OVERDUE.get(step)
    if found is None:
        return "–"
    field, message = found
    when = date_filter(getattr(period, field), "j. M")
    return format_html(
        '<span class="badge badge-error">{}</span> {}', _("Overdue"), _(message) % {"date": when}
    )


_CHANGE_BADGE = {
    "added": ("badge badge-success", gettext_noop("new")),
    "removed": ("badge badge-error", gettext_noop("removed")),
    "changed": ("badge badge-info", gettext_noop("changed")),
}


@register.simple_tag
def change_badge(status: str) -> SafeString:
    """How a section or goal changed since last period."""
    css, label = _CHANGE_BADGE.get(status, ("badge", gettext_noop("unchanged")))
    return format_html('<span class="{}">{}</span>', css, _(label))


@register.simple_tag
def diff_segments(segments: list[Segment]) -> SafeString:
    """Word-by-word changes; screen readers hear "added" and "removed"."""
    marks = {"added": ("ins", _("added")), "removed": ("del", _("removed"))}
    parts = []
    for segment in segments:
        text = linebreaksbr(segment.text)
        if segment.kind in marks:
            element, word = marks[segment.kind]
            text = format_html(
                '<{0}><span class="sr-only">[{1}: </span>{2}<span class="sr-only">]</span></{0}>',
                SafeString(element),
                word,
                text,
            )
        parts.append(text)
    return SafeString("".join(parts))


_COMMENT_FORM = """<details class="details new-comment">
  <summary class="details-summary">{label}</summary>
  <div class="details-text">
    <form method="post" action="{action}">
      <input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token}">
      <input type="hidden" name="sted" value="{place}">
      <input type="hidden" name="next" value="{next}">
      <div class="form-group">
        <label class="form-label" for="comment-{id}">{field}</label>
        <textarea class="form-input" id="comment-{id}" name="body" rows="3" required
          maxlength="5000"></textarea>
      </div>
      <button type="submit" class="button button-secondary">{button}</button>
    </form>
  </div>
</details>"""


@register.simple_tag(takes_context=True)
def comment_form(
    context: template.Context, agreement: Agreement, place: str, label: str
) -> SafeString:
    """A new comment on the agreement (place "") or one place in it (section-<id>, goal-<uuid>),
    going back to the page (`next` in the context) afterwards. A tag, as the review shows one a
    section and goal."""
    return format_html(
        _COMMENT_FORM,
        label=label,
        action=link("agreements:add-comment", uuid=agreement.uuid),
        csrf_token=context.get("csrf_token", ""),
        place=place,
        next=context.get("next", ""),
        id=place or "agreement",
        field=_("Your comment"),
        button=_("Add the comment"),
    )


@register.inclusion_tag("agreements/unit_agreements.html", takes_context=True)
def unit_agreements(context: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """The unit's agreements that the reader may open, newest period first, and start links for
    the relevant periods it has none for, when the reader may start them (the reader's roles, the
    agreements, the relevant periods)."""
    user = context["request"].user
    agreements = list(
        permissions.agreements_visible_to(user)
        .filter(unit=unit)
        .select_related("period")
        .order_by("-period__starts_on")
    )
    startable: list[Period] = []
    if not unit.is_closed and permissions.can_start_agreement(user, unit.pk):
        # Such readers see all the unit's agreements, so the missing ones are the ones not listed.
        started = {agreement.period_id for agreement in agreements}
        startable = [p for p in Period.objects.relevant() if p.pk not in started]
    return {"unit": unit, "agreements": agreements, "startable": startable}
