from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from randers.forms import ListedChoiceField

from . import imports, services
from .models import Area, Committee, CommitteeMembership, OrganisationChange, Unit, User, unit_slug

Role = OrganisationChange.Role


class DirectoryFilterForm(forms.Form):
    """The unit directory's filters, read from the query string."""

    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    area = ListedChoiceField(
        label=_("Area"),
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All areas"),
        error_messages={"invalid_choice": _("Choose one of the areas in the list.")},
    )
    committee = ListedChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All committees"),
        error_messages={"invalid_choice": _("Choose one of the committees in the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Unit.Kind.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the kinds in the list.")},
    )


# --- Fields that find people and units by what an administrator knows -------------------------


class PersonField(forms.CharField):
    """A person, found by work e-mail or username (case does not matter)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("E-mail or username"))
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> User | None:  # type: ignore[override]
        text = super().clean(value).strip()
        if not text:
            return None
        person = User.objects.filter(Q(email__iexact=text) | Q(username__iexact=text)).first()
        if person is None:
            raise forms.ValidationError(
                _("Nobody has the e-mail or username “%(value)s”."), params={"value": text}
            )
        return person


class UnitField(forms.CharField):
    """An open unit, found by its name or its short name (case does not matter)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Unit"))
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("The unit's name as in the unit directory."))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Unit | None:  # type: ignore[override]
        text = super().clean(value).strip()
        if not text:
            return None
        unit = (
            Unit.objects.active()
            .filter(Q(name__iexact=text) | Q(slug=unit_slug(text)))
            .select_related("area", "committee", "leader")
            .first()
        )
        if unit is None:
            raise forms.ValidationError(
                _("No open unit is called “%(value)s”."), params={"value": text}
            )
        return unit


# --- People -------------------------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or e-mail"), required=False, max_length=100)


class PersonForm(forms.Form):
    """A new person: name and work e-mail (which is also the username)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Work e-mail"),
        max_length=150,
        help_text=_("Also the username. The link to set the password is sent here."),
        error_messages={"invalid": _("Write a valid e-mail address, e.g. name@randers.dk.")},
    )
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Language of e-mails and the interface"),
        choices=User.Language.choices,
        initial=User.Language.DANISH,
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
            raise forms.ValidationError(
                _("A person with this e-mail exists already. Find them in the list of people.")
            )
        return email

    def new_person(self) -> services.NewPerson:
        data = self.cleaned_data
        return services.NewPerson(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            job_title=data["job_title"],
            language=data["language"],
        )


class LeaderForm(forms.Form):
    """Who is to lead a unit: an existing person, a new person (who is invited), or nobody yet."""

    class Choice:
        EXISTING = "existing"
        NEW = "new"
        NONE = "none"

    choice = forms.ChoiceField(
        label=_("Leader"),
        widget=forms.RadioSelect,
        choices=[
            (Choice.EXISTING, _("A person who is already in Aftalestyring")),
            (Choice.NEW, _("A new person, who gets an e-mail to set a password")),
            (Choice.NONE, _("No leader for now")),
        ],
        initial=Choice.EXISTING,
    )
    existing = PersonField(
        label=_("The existing person's e-mail or username"),
        required=False,
    )
    first_name = forms.CharField(label=_("New person's first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("New person's last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("New person's work e-mail"),
        max_length=150,
        required=False,
        help_text=_("Also the username. The link to set the password is sent here."),
        error_messages={"invalid": _("Write a valid e-mail address, e.g. name@randers.dk.")},
    )
    job_title = forms.CharField(label=_("New person's job title"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("New person's language"),
        choices=User.Language.choices,
        initial=User.Language.DANISH,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("choice")
        if (
            choice == self.Choice.EXISTING
            and not data.get("existing")
            and "existing" not in (self.errors)
        ):
            self.add_error("existing", _("Write the e-mail or username of the person."))
        if choice == self.Choice.NEW:
            for name, message in (
                ("first_name", _("Write the new person's first name.")),
                ("last_name", _("Write the new person's last name.")),
                ("email", _("Write the new person's work e-mail.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
            email = (data.get("email") or "").lower()
            if (
                email
                and User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()
            ):
                self.add_error(
                    "email",
                    _(
                        "A person with this e-mail exists already; choose “A person who is "
                        "already in Aftalestyring” and write the e-mail there."
                    ),
                )
        return data

    def leader_choice(self) -> services.LeaderChoice:
        data = self.cleaned_data
        if data["choice"] == self.Choice.EXISTING:
            return services.LeaderChoice(existing=data["existing"])
        if data["choice"] == self.Choice.NEW:
            return services.LeaderChoice(
                new=services.NewPerson(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"].lower(),
                    job_title=data["job_title"],
                    language=data["language"] or User.Language.DANISH,
                )
            )
        return services.LeaderChoice()


class RoleForm(forms.Form):
    """Give a person a role; the object it is about depends on the role."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = UnitField(label=_("Unit (for a leader)"), required=False)
    area = ListedChoiceField(
        label=_("Area (for a director)"),
        queryset=Area.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="–",
        error_messages={"invalid_choice": _("Choose one of the areas in the list.")},
    )
    committee = ListedChoiceField(
        label=_("Committee (for a member or chair)"),
        queryset=Committee.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="–",
        error_messages={"invalid_choice": _("Choose one of the committees in the list.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        needs = {
            Role.LEADER: ("unit", _("Write the name of the unit the person is to lead.")),
            Role.DIRECTOR: ("area", _("Choose the area the person is to direct.")),
            Role.COMMITTEE_MEMBER: ("committee", _("Choose the committee.")),
            Role.COMMITTEE_CHAIR: ("committee", _("Choose the committee.")),
        }
        if role in needs:
            name, message = needs[role]
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data


class RemoveRoleForm(forms.Form):
    """The role to take from a person, posted by a button next to it."""

    role = forms.ChoiceField(choices=Role.choices)
    target = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, target = data.get("role"), data.get("target", "")
        targets: dict[str, type[Unit] | type[Area] | type[Committee]] = {
            Role.LEADER: Unit,
            Role.DIRECTOR: Area,
            Role.COMMITTEE_MEMBER: Committee,
            Role.COMMITTEE_CHAIR: Committee,
        }
        model = targets.get(str(role or ""))
        if model is not None:
            found = model._default_manager.filter(slug=target).first()
            if found is None:
                raise forms.ValidationError(_("The role was not found; nothing was changed."))
            data["object"] = found
        return data


class CommitteeMemberForm(forms.Form):
    person = PersonField(label=_("E-mail or username of the person"))
    role = forms.ChoiceField(
        label=_("Role on the committee"),
        choices=CommitteeMembership.Role.choices,
        initial=CommitteeMembership.Role.MEMBER,
        help_text=_("A new chair makes the present chair an ordinary member."),
    )


class SinglePersonForm(forms.Form):
    person = PersonField(label=_("E-mail or username of the person"))


# --- Units ---------------------------------------------------------------------------------------


class UnitFactsForm(forms.ModelForm):
    """A new unit's facts (its area and committee are chosen in the next step)."""

    class Meta:
        model = Unit
        fields = [
            "name",
            "kind",
            "email",
            "phone",
            "address",
            "website",
            "legal_basis",
            "main_task",
            "target_group",
            "self_governing",
            "has_user_board",
            "active_from",
        ]
        widgets = {
            "main_task": forms.Textarea(attrs={"rows": 3}),
            "target_group": forms.Textarea(attrs={"rows": 2}),
            "active_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"active_from": _("The day the unit opens.")}
        error_messages = {
            "name": {"required": _("Write the unit's name.")},
            "kind": {"required": _("Choose the kind of unit.")},
            "email": {"invalid": _("Write a valid e-mail address, e.g. name@randers.dk.")},
            "website": {"invalid": _("Write a valid web address, e.g. https://skole.randers.dk.")},
            "active_from": {"invalid": _("Write a date, e.g. 1 August 2027.")},
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not unit_slug(name):
            raise forms.ValidationError(_("The name must contain letters or digits."))
        if Unit.objects.filter(slug=unit_slug(name)).exists():
            raise forms.ValidationError(_("A unit with this name exists already."))
        return name

    def _post_clean(self) -> None:
        # Area and committee come from the next step; skip the model validation of the
        # incomplete unit (the service validates the whole unit before saving).
        pass


class PlacementForm(forms.Form):
    """The area and committee a unit belongs to."""

    area = ListedChoiceField(
        label=_("Area"),
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Choose an area"),
        help_text=_("Its director reviews the unit's agreements and signs them for the council."),
        error_messages={
            "required": _("Choose the area."),
            "invalid_choice": _("Choose one of the areas in the list."),
        },
    )
    committee = ListedChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Choose a committee"),
        help_text=_("It holds the dialogue with the unit and approves its agreements."),
        error_messages={
            "required": _("Choose the committee."),
            "invalid_choice": _("Choose one of the committees in the list."),
        },
    )


class MoveForm(PlacementForm):
    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"area": unit.area, "committee": unit.committee})
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("area") == self.unit.area
            and data.get("committee") == self.unit.committee
            and not self.errors
        ):
            raise forms.ValidationError(
                _("The unit already belongs to this area and committee; choose another.")
            )
        return data


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name of the site"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^\d{4}$",
        max_length=4,
        required=False,
        error_messages={"invalid": _("A postal code is four digits.")},
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = any(data.get(name) for name in ("address", "postal_code", "city"))
        if filled and not data.get("name") and "name" not in self.errors:
            self.add_error("name", _("Name the site, or clear its address."))
        return data


MAX_SITES = 30
SiteFormSet = forms.formset_factory(
    SiteForm, extra=3, max_num=MAX_SITES, absolute_max=MAX_SITES, validate_max=True
)


def sites_from(formset: forms.BaseFormSet) -> list[imports.SiteData]:
    return [
        imports.SiteData(
            name=form.cleaned_data["name"],
            address=form.cleaned_data["address"],
            postal_code=form.cleaned_data["postal_code"],
            city=form.cleaned_data["city"],
        )
        for form in formset.forms
        if form.cleaned_data.get("name")
    ]


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the unit and its agreements become read-only from today."),
        error_messages={"required": _("Tick the box to confirm that the unit is to close.")},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet with the units"),
        help_text=_(
            "An Excel workbook (.xlsx) or a CSV file (.csv, UTF-8 or Windows characters, "
            "separated by semicolons or commas), at most %(size)s MB and %(rows)s units."
        )
        % {"size": imports.MAX_BYTES // (1024 * 1024), "rows": imports.MAX_ROWS},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(imports.EXTENSIONS)}),
        error_messages={"required": _("Choose the file to import.")},
    )

    validation: imports.Validation | None = None

    def clean_file(self) -> list[imports.ImportRow]:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            table = imports.read_table(upload)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        self.validation = imports.validate_table(table)
        if self.validation.errors:
            count = len(self.validation.errors)
            raise forms.ValidationError(
                ngettext(
                    "The file has %(count)s error, listed below by row and column. Nothing was "
                    "imported. Correct the file and upload it again.",
                    "The file has %(count)s errors, listed below by row and column. Nothing was "
                    "imported. Correct the file and upload it again.",
                    count,
                ),
                params={"count": count},
            )
        return self.validation.rows
