"""A person's own notifications and their choice of e-mail. Nobody sees another's."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from units.models import User

from . import services
from .forms import PreferenceForm
from .models import Notification


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first, the unread ones marked."""
    assert isinstance(request.user, User)
    notifications = Notification.objects.filter(recipient=request.user).order_by(
        "-created_at", "-pk"
    )
    page = Paginator(notifications, 50).get_page(request.GET.get("side"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "frequency": services.frequency_of(request.user)},
    )


@require_GET
def open_notification(request: HttpRequest, uuid: str) -> HttpResponseBase:
    """Follow a notification to what it is about; it is read from then on."""
    assert isinstance(request.user, User)
    notification = Notification.objects.filter(uuid=uuid, recipient=request.user).first()
    if notification is None:
        raise Http404
    services.mark_read(notification, by=request.user)
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(notification.url)


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponseBase:
    assert isinstance(request.user, User)
    services.mark_all_read(request.user, by=request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")


def preferences(request: HttpRequest) -> HttpResponse:
    """How often the person wants e-mail: at once, daily, weekly, or never."""
    assert isinstance(request.user, User)
    form = PreferenceForm(
        request.POST or None, initial={"frequency": services.frequency_of(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        services.set_frequency(
            request.user, frequency=form.cleaned_data["frequency"], by=request.user
        )
        messages.success(request, _("Your choice is saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
