"""Account pages, data dictionary (数据字典): the company's pick-lists and their options."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.accounts import selectors, services
from banyan.accounts.dictionary import KINDS_WITH_PROBABILITY
from banyan.accounts.forms_account import DictionaryOptionForm
from banyan.accounts.views.users import account_admin_required, found_or_404
from banyan.core.views import submit


def _kind_or_404(kind: str) -> str:
    if kind not in selectors.dictionary_kinds():
        raise Http404
    return kind


def _render_kind(request, kind: str, form: DictionaryOptionForm):
    options = list(selectors.dictionary_options(request.user, kind))
    return render(
        request,
        "accounts/dictionary_kind.html",
        {
            "kind": kind,
            "kind_label": selectors.dictionary_kinds()[kind],
            "options": options,
            "form": form,
            "has_probability": kind in KINDS_WITH_PROBABILITY,
        },
    )


@account_admin_required
def dictionary_index_view(request):
    counts = {
        row["kind"]: row
        for row in selectors.dictionary_options(request.user)
        .order_by()
        .values("kind")
        .annotate(total=Count("id"), active=Count("id", filter=Q(is_active=True)))
    }
    lists = [
        {
            "kind": kind,
            "label": label,
            "total": counts.get(kind, {}).get("total", 0),
            "active": counts.get(kind, {}).get("active", 0),
        }
        for kind, label in selectors.dictionary_kinds().items()
    ]
    return render(request, "accounts/dictionary_index.html", {"lists": lists})


@account_admin_required
def dictionary_kind_view(request, kind):
    kind = _kind_or_404(kind)
    return _render_kind(request, kind, DictionaryOptionForm(kind=kind))


@account_admin_required
@require_POST
def dictionary_option_create_view(request, kind):
    kind = _kind_or_404(kind)
    form = DictionaryOptionForm(request.POST, kind=kind)
    if submit(
        request,
        form,
        lambda: services.dictionary_option_create(
            actor=request.user,
            kind=kind,
            label=form.cleaned_data["label"],
            probability=form.cleaned_data.get("probability"),
        ),
        success=lambda option: _("%(label)s has been added.") % {"label": option.display_label},
        as_403=False,
    ):
        return redirect("account-dictionary-kind", kind=kind)
    return _render_kind(request, kind, form)


@account_admin_required
def dictionary_option_edit_view(request, pk):
    option = found_or_404(selectors.get_dictionary_option, request.user, pk)
    form = DictionaryOptionForm(
        request.POST or None,
        kind=option.kind,
        initial={"label": option.display_label, "probability": option.probability},
    )

    def save():
        label = form.cleaned_data["label"]
        return services.dictionary_option_update(
            actor=request.user,
            option=option,
            # An unchanged built-in label keeps following the user's language.
            label=None if label == option.display_label else label,
            probability=form.cleaned_data.get("probability"),
        )

    if submit(request, form, save, success=_("The option has been saved."), as_403=False):
        return redirect("account-dictionary-kind", kind=option.kind)
    return render(
        request,
        "accounts/dictionary_option_form.html",
        {
            "option": option,
            "form": form,
            "kind_label": selectors.dictionary_kinds().get(option.kind, option.kind),
        },
    )


@account_admin_required
@require_POST
def dictionary_option_toggle_view(request, pk):
    option = found_or_404(selectors.get_dictionary_option, request.user, pk)

    def toggled(option) -> str:
        if option.is_active:
            message = _("%(label)s has been activated.")
        else:
            message = _("%(label)s has been deactivated.")
        return message % {"label": option.display_label}

    submit(
        request,
        None,
        lambda: services.dictionary_option_update(
            actor=request.user, option=option, is_active=not option.is_active
        ),
        success=toggled,
        as_403=False,
    )
    return redirect("account-dictionary-kind", kind=option.kind)


@account_admin_required
@require_POST
def dictionary_option_delete_view(request, pk):
    option = found_or_404(selectors.get_dictionary_option, request.user, pk)
    submit(
        request,
        None,
        lambda: services.dictionary_option_delete(actor=request.user, option=option),
        success=_("%(label)s has been deleted.") % {"label": option.display_label},
        as_403=False,
    )
    return redirect("account-dictionary-kind", kind=option.kind)


@account_admin_required
@require_POST
def dictionary_option_move_view(request, pk):
    """One step up or down in its list (the buttons beside each option)."""
    option = found_or_404(selectors.get_dictionary_option, request.user, pk)
    order = list(
        selectors.dictionary_options(request.user, option.kind).values_list("pk", flat=True)
    )
    index = order.index(option.pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    if 0 <= index + step < len(order):
        order[index], order[index + step] = order[index + step], order[index]
        submit(
            request,
            None,
            lambda: services.dictionary_reorder(
                actor=request.user, kind=option.kind, option_ids=order
            ),
            as_403=False,
        )
    return redirect("account-dictionary-kind", kind=option.kind)


@account_admin_required
@require_POST
def dictionary_reorder_view(request, kind):
    """The whole list in a new order (`order` = option ids, first to last), e.g. by drag."""
    kind = _kind_or_404(kind)
    submit(
        request,
        None,
        lambda: services.dictionary_reorder(
            actor=request.user, kind=kind, option_ids=request.POST.getlist("order")
        ),
        success=_("The new order has been saved."),
        as_403=False,
    )
    return redirect("account-dictionary-kind", kind=kind)


urlpatterns = [
    path("account/dictionary/", dictionary_index_view, name="account-dictionary"),
    path("account/dictionary/<slug:kind>/", dictionary_kind_view, name="account-dictionary-kind"),
    path(
        "account/dictionary/<slug:kind>/new/",
        dictionary_option_create_view,
        name="account-dictionary-option-create",
    ),
    path(
        "account/dictionary/<slug:kind>/reorder/",
        dictionary_reorder_view,
        name="account-dictionary-reorder",
    ),
    path(
        "account/dictionary/options/<int:pk>/edit/",
        dictionary_option_edit_view,
        name="account-dictionary-option-edit",
    ),
    path(
        "account/dictionary/options/<int:pk>/toggle/",
        dictionary_option_toggle_view,
        name="account-dictionary-option-toggle",
    ),
    path(
        "account/dictionary/options/<int:pk>/delete/",
        dictionary_option_delete_view,
        name="account-dictionary-option-delete",
    ),
    path(
        "account/dictionary/options/<int:pk>/move/",
        dictionary_option_move_view,
        name="account-dictionary-option-move",
    ),
]
