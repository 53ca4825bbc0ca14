from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from askesos.api import query_input
from askesos.geo.models import Regency
from askesos.permissions import AccessDenied, Action, ActionPermission, ensure, scope_of
from tenants.models import Lpa
from tenants.provisioning import lpa_provision_request
from tenants.selectors import lpa_list_for_scope
from tenants.services import lpa_input_clean, lpa_register


class LpaOutput(serializers.ModelSerializer):
    regency_code = serializers.CharField(source="regency_id")
    regency_name = serializers.CharField(source="regency.name")
    province_code = serializers.CharField(source="regency.province_id")
    domain = serializers.SerializerMethodField()
    scheme = serializers.CharField(source="scheme_version.code")

    class Meta:
        model = Lpa
        fields = [
            "slug",
            "name",
            "legal_form",
            "regency_code",
            "regency_name",
            "province_code",
            "npwp",
            "status",
            "is_ready",
            "created_at",
            "ready_at",
            "started_on",
            "domain",
            "scheme",
        ]

    def get_domain(self, lpa: Lpa) -> str:
        from tenants.services import domain_for

        return domain_for(lpa.slug)


class LpaProvisionInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=40)
    legal_form = serializers.CharField()
    regency_code = serializers.CharField(max_length=5)
    npwp = serializers.CharField(max_length=30)
    scheme_code = serializers.CharField(max_length=40, required=False, allow_blank=True)


class LpaListApi(ListAPIView):
    """LPAs in the caller's area (ministry: all; province; regency/city)."""

    permission_classes = [ActionPermission]
    required_action = Action.GOV_LPA_VIEW
    serializer_class = LpaOutput
    filterset_fields = ["status", "legal_form", "regency", "is_ready"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no user
            return Lpa.objects.none()
        return lpa_list_for_scope(scope=scope_of(self.request.user))

    @extend_schema(request=LpaProvisionInput, responses={202: LpaOutput})
    def post(self, request):
        """Appoint a new LPA: registers it now, clones its schema in a Celery task."""
        ensure(request.user, Action.GOV_LPA_PROVISION)
        data = LpaProvisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        scheme_code = values.pop("scheme_code", "") or None
        cleaned = lpa_input_clean(**values)
        regency = Regency.objects.get(code=cleaned.regency_code)
        ensure(request.user, Action.GOV_LPA_PROVISION, regency=regency)
        with transaction.atomic():
            lpa = lpa_register(**values, scheme_code=scheme_code)
            # Answered 202 even when the broker is down: the LPA is then pending
            # (is_ready false) until the provisioning sweep clones it.
            lpa_provision_request(lpa=lpa)
        return Response(LpaOutput(lpa).data, status=status.HTTP_202_ACCEPTED)


class LpaDetailApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.GOV_LPA_VIEW

    @extend_schema(responses=LpaOutput)
    def get(self, request, slug: str):
        query_input(self)  # no parameters: any is refused, not ignored
        lpa = Lpa.objects.select_related("regency").filter(slug=slug).first()
        if lpa is None:
            raise Http404
        try:
            ensure(request.user, Action.GOV_LPA_VIEW, regency=lpa.regency)
        except AccessDenied as exc:
            # Out of scope looks the same as absent: no probing which LPAs exist.
            raise Http404 from exc
        return Response(LpaOutput(lpa).data)
