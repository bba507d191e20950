"""Forms of the opportunity pages. They parse input into types; the services judge it."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banyan.accounts import selectors as account_selectors
from banyan.accounts.models import User
from banyan.core.forms import (
    INLINE_FIELD_TEMPLATE,
    CompactFieldsMixin,
    QuickSelect,
    ServiceErrorsMixin,
    UserChoiceField,
    day_field,
)
from banyan.opportunities import selectors
from banyan.opportunities.models import Opportunity


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        if obj.probability is None:
            return obj.display_label
        return f"{obj.display_label} ({obj.probability}%)"


class OpportunityForm(ServiceErrorsMixin, forms.Form):
    """Create or edit an opportunity (its stage too; won/lost have their own forms)."""

    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    stage = StageChoiceField(label=_("Stage"), queryset=None, empty_label=None)
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Leave empty to use the stage's default probability."),
    )
    expected_amount = forms.DecimalField(
        label=_("Expected amount (CNY)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=255)
    competitors = forms.CharField(
        label=_("Competitors"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = UserChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        empty_label=_("— the default owner —"),
        help_text=_(
            "By default you, when the customer is in your line; otherwise the customer's owner."
        ),
    )

    def __init__(self, *args, user: User, customer, opportunity: Opportunity | None = None, **kw):
        if opportunity is not None:
            kw.setdefault(
                "initial",
                {
                    "name": opportunity.name,
                    "stage": opportunity.stage_id,
                    "probability": opportunity.probability,
                    "expected_amount": opportunity.expected_amount,
                    "expected_close_date": opportunity.expected_close_date,
                    "next_step": opportunity.next_step,
                    "competitors": opportunity.competitors,
                    "owner": opportunity.owner_id,
                },
            )
        super().__init__(*args, **kw)
        self.editing = opportunity is not None
        keep_stage = Q(is_active=True)
        keep_owner = Q(pk__in=account_selectors.assignable_users(user).values("pk")) | Q(
            pk=customer.owner_id
        )
        if opportunity is not None:
            # The current stage and owner stay selectable, so the form still saves.
            keep_stage |= Q(pk=opportunity.stage_id)
            keep_owner |= Q(pk=opportunity.owner_id)
            self.fields["owner"].empty_label = None
            self.fields["owner"].required = True
            self.fields["owner"].help_text = ""
            if not opportunity.is_open:
                self.fields["stage"].disabled = True
                self.fields["stage"].help_text = _(
                    "A won or lost opportunity keeps its stage: reopen it first."
                )
        self.fields["stage"].queryset = selectors.stages(user).filter(keep_stage)
        self.fields["owner"].queryset = (
            account_selectors.company_users(user)
            .filter(keep_owner)
            .order_by("real_name", "username")
        )

    def service_fields(self) -> dict:
        """The cleaned data as the services take it; on an edit form, the probability only
        when the user changed it (so a new stage brings its own default)."""
        data = dict(self.cleaned_data)
        if data.get("expected_amount") is None:
            data["expected_amount"] = 0
        if self.editing and "probability" not in self.changed_data:
            data.pop("probability")
        if self.fields["stage"].disabled:
            data.pop("stage", None)
        if data.get("owner") is None:
            data.pop("owner", None)
        return data


class CloseForm(ServiceErrorsMixin, forms.Form):
    """Mark an opportunity won (reason optional) or lost (reason required)."""

    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if reason_required:
            self.fields["reason"].help_text = _("Why was it lost? Price, competitor, timing…")
        else:
            self.fields["reason"].help_text = _("Optional: what made the difference.")


class MoveForm(forms.Form):
    """The board's move: a new stage, and where in its column (from the drag)."""

    stage = forms.IntegerField()
    position = forms.IntegerField(required=False, min_value=0)
    probability = forms.IntegerField(required=False)


PAGE_SIZES = (20, 50, 100)


class OpportunityFilterForm(CompactFieldsMixin, forms.Form):
    """The list's search, filters and sort; anything invalid is simply not applied."""

    SORTS = [
        ("-created_at", _("Newest first")),
        ("created_at", _("Oldest first")),
        ("expected_close_date", _("Close date, soonest first")),
        ("-expected_close_date", _("Close date, latest first")),
        ("-expected_amount", _("Amount, largest first")),
        ("expected_amount", _("Amount, smallest first")),
        ("-probability", _("Probability, highest first")),
        ("stage__position", _("Stage")),
        ("name", _("Name")),
        ("customer__name", _("Customer")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": _("Opportunity or customer name"),
            }
        ),
    )
    stage = StageChoiceField(
        label=_("Stage"), queryset=None, required=False, empty_label=_("All stages")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Opportunity.Status.choices],
    )
    owner = UserChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Everyone I see")
    )
    close_from = forms.DateField(
        label=_("Closing from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    close_to = forms.DateField(
        label=_("Closing until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    closed_from = day_field(_("Closed from"))
    closed_to = day_field(_("Closed until"))
    amount_min = forms.DecimalField(
        label=_("Amount from"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    amount_max = forms.DecimalField(
        label=_("Amount up to"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = selectors.stages(user)
        self.fields["owner"].queryset = selectors.opportunity_owners(user)

    def filters(self) -> dict:
        """Keyword arguments for `selectors.opportunity_list`, only from valid fields."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return {
            "search": data.get("q") or "",
            "stage_id": data["stage"].pk if data.get("stage") else None,
            "status": data.get("status") or "",
            "owner_id": data["owner"].pk if data.get("owner") else None,
            "close_from": data.get("close_from"),
            "close_to": data.get("close_to"),
            "closed_from": data.get("closed_from"),
            "closed_to": data.get("closed_to"),
            "amount_min": data.get("amount_min"),
            "amount_max": data.get("amount_max"),
            "ordering": data.get("sort") or "-created_at",
        }

    def rows_per_page(self) -> int:
        self.is_valid()
        if "page_size" in self.errors:
            return PAGE_SIZES[0]
        return getattr(self, "cleaned_data", {}).get("page_size") or PAGE_SIZES[0]


class BoardFilterForm(forms.Form):
    owner = UserChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        empty_label=_("Everyone I see"),
        widget=QuickSelect(attrs={"class": "form-select form-select-sm", "data-autosubmit": True}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.opportunity_owners(user)
        self.fields["owner"].template_name = INLINE_FIELD_TEMPLATE

    def owner_id(self):
        if self.is_valid() and self.cleaned_data.get("owner"):
            return self.cleaned_data["owner"].pk
        return None
