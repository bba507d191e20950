from django.core.paginator import Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`; answers `count`, `next`, `previous`, `results`."""

    page_size_query_param = "page_size"
    max_page_size = 200


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a list over a million customers never waits for an
    exact COUNT(*): past the cap the page says "more than 10,000" and filters narrow it."""

    cap = 10_000

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
    def count_label(self) -> str:
        if self.is_capped:
            return _("more than %(cap)s") % {"cap": number_format(self.cap, force_grouping=True)}
        return number_format(self.count, force_grouping=True)


def paginate(request, rows, *, per_page: int = 20, page_param: str = "page"):
    """One page of `rows` for a list page, counted with the cap."""
    return CappedPaginator(rows, per_page).get_page(request.GET.get(page_param))
