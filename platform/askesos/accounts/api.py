from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from askesos.api import query_input
from askesos.permissions import membership_of, scope_of


class MeApi(APIView):
    """Who am I here: the signed-in user with their role in this LPA or their scope."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "full_name": serializers.CharField(),
                "lpa_role": serializers.CharField(allow_null=True),
                "government_scope": serializers.DictField(allow_null=True),
            },
        )
    )
    def get(self, request):
        query_input(self)  # no parameters: any is refused, not ignored
        membership = membership_of(request.user)
        scope = scope_of(request.user) if connection.schema_name == "public" else None
        return Response(
            {
                "username": request.user.username,
                "full_name": request.user.full_name,
                "lpa_role": membership.role if membership and membership.is_active else None,
                "government_scope": None
                if scope is None
                else {
                    "level": scope.level,
                    "role": scope.role,
                    "province": scope.province_id,
                    "regency": scope.regency_id,
                },
            }
        )
