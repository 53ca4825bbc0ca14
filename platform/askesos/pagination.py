"""Pagination for large tenant tables: counting every match of a broad search costs
more than the page itself, and nobody pages past the first thousand results."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 1000


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()


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
