from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.response import Response

COUNT_CAP = 10_000
# A search counts its matches to a lower cap: a common word matches a large share of a big
# list, and counting them all means reading them all; nobody pages through 1,000 hits.
SEARCH_COUNT_CAP = 1_000
# The query parameters that carry a search: `q` on the pages, `search` in the API.
SEARCH_PARAMETERS = ("q", "search")


def count_cap_for(request) -> int:
    """The count cap for a list request: lower while it searches."""
    query = getattr(request, "query_params", None) or request.GET
    if any((query.get(name) or "").strip() for name in SEARCH_PARAMETERS):
        return SEARCH_COUNT_CAP
    return COUNT_CAP


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a list over a million customers never waits for an
    exact COUNT(*): past the cap the page says "more than 10,000" and filters narrow it.

    Pages past the cap still open: they are fetched with one row more than a page, which
    tells whether another follows, instead of being checked against a count."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):
            # Only the keys matter for counting: no ordering, no annotations, no joins.
            return rows.order_by().values("pk")[: self.cap + 1].count()
        return len(rows)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_shown(self) -> int:
        """The count, or the cap when there are more."""
        return min(self.count, self.cap)

    @property
    def count_label(self) -> str:
        if self.is_capped:
            return _("more than %(cap)s") % {"cap": number_format(self.cap, force_grouping=True)}
        return number_format(self.count, force_grouping=True)

    def validate_number(self, number):
        if not self.is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def get_page(self, number):
        """Like Paginator.get_page: a bad number gives the first page, one past the end the
        last page the count reaches."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number):
        number = self.validate_number(number)
        if not self.is_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class CappedPage(Page):
    """A page of a list counted past the cap: whether another follows is known from the rows
    fetched, not from the count."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self):
        return self.has_more

    def end_index(self):
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`; answers `count`, `count_capped`, `next`, `previous`, `results`.

    `count` is exact up to 10,000 rows; past that it is 10,000 and `count_capped` is true
    (narrow the list with filters, or keep following `next`, which stays right)."""

    django_paginator_class = CappedPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        cap = count_cap_for(request)
        self.django_paginator_class = lambda rows, size: CappedPaginator(rows, size, cap=cap)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count_shown,
                "count_capped": paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            f"The number of results, exact up to {COUNT_CAP:,} ({SEARCH_COUNT_CAP:,} with "
            "`search`); past that the cap, and `count_capped` is true."
        )
        answer["properties"]["count_capped"] = {
            "type": "boolean",
            "example": False,
            "description": "True when there are more results than the cap of `count`.",
        }
        answer["required"] = [*answer.get("required", []), "count_capped"]
        return answer


def paginate(request, rows, *, per_page: int = 20, page_param: str = "page"):
    """One page of `rows` for a list page, counted with the cap (a lower one while it
    searches)."""
    return CappedPaginator(rows, per_page, cap=count_cap_for(request)).get_page(
        request.GET.get(page_param)
    )


TOTALS_PARAMETER = "totals"


def totals_of_page(request, page, compute):
    """A list's totals row: computed with the page while the list is within the count cap
    (a sum over at most that many rows); past the cap the page goes out without it, and its
    totals row asks for them in a request of its own (`?totals=1`), so the rows never wait
    for a sum over the whole list. None when left for later."""
    if page.paginator.is_capped and request.GET.get(TOTALS_PARAMETER) != "1":
        return None
    return compute()
