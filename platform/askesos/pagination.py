"""Pagination for large tenant tables: counting every match of a broad search costs
more than the page itself, and nobody pages past the first thousand results.

Paging parameters are input like any other (askesos.api): `?page=abc` or
`?page_size=0` is a 400 naming the parameter, never silently the first page or the
default size. A page number past the last page stays a 404 ("no such page")."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework import pagination, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

COUNT_CAP = 1000
# A page number with more digits would not fit PostgreSQL's OFFSET anyway.
_PAGE_NUMBER = serializers.IntegerField(min_value=1, max_value=10**9)


def _checked(name: str, value: str, field: serializers.Field) -> int:
    try:
        return field.run_validation(value)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, with the page and the page size checked as input."""

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param)
        if number in (None, "") or number in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return _checked(self.page_query_param, number, _PAGE_NUMBER)

    def get_page_size(self, request):
        name = self.page_size_query_param
        if name and request.query_params.get(name) not in (None, ""):
            return _checked(
                name,
                request.query_params[name],
                serializers.IntegerField(min_value=1, max_value=self.max_page_size),
            )
        return self.page_size


class CappedPageNumberPagination(PageNumberPagination):
    """`count` is exact up to 1.000; beyond, it reads 1.001 and `count_capped` is true."""

    django_paginator_class = CappedCountPaginator
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count > COUNT_CAP
        return Response(response.data)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema
