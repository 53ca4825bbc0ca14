"""Claims API: one thin view per operation; input and output serializers apart."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from askesos.api import query_input
from askesos.dates import PastDateField
from askesos.pagination import CappedPageNumberPagination
from askesos.permissions import Action, ActionPermission
from programme.claims import payments, services
from programme.claims.documents import uploads_from
from programme.claims.models import Claim, ClaimStatus, PaymentRequest, PayoutMethod
from programme.claims.selectors import claim_list
from programme.claims.steps import STEPS
from programme.participants.models import Heir, HeirRelation


class ClaimSubmitInput(serializers.Serializer):
    policy = serializers.CharField(max_length=32)
    benefit = serializers.CharField(max_length=30)
    event_date = PastDateField(named=_("Date of the event"))
    sick_days = serializers.IntegerField(min_value=0, max_value=366, required=False)
    hospital_days = serializers.IntegerField(min_value=0, max_value=366, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    heir = serializers.IntegerField(required=False)
    heir_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    heir_relation = serializers.ChoiceField(choices=HeirRelation.choices, required=False)
    payout_method = serializers.ChoiceField(choices=PayoutMethod.choices, default="cash")
    bank_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=30, required=False, allow_blank=True)
    account_holder = serializers.CharField(max_length=150, required=False, allow_blank=True)


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class EventOutput(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    note = serializers.CharField()
    at = serializers.DateTimeField()


class ClaimOutput(serializers.ModelSerializer):
    policy = serializers.CharField(source="policy.number")
    participant = serializers.CharField(source="policy.participant.name")
    payment_request = serializers.CharField(
        source="payment_request.number", allow_null=True, default=None
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "number",
            "policy",
            "participant",
            "benefit",
            "payout_route",
            "event_date",
            "policy_year",
            "amount",
            "status",
            "payout_method",
            "submitted_at",
            "complete_at",
            "verified_at",
            "paid_at",
            "service_days",
            "referral_reference",
            "rejection_reason",
            "return_reason",
            "notified_how",
            "payment_request",
        ]


class ClaimDetailOutput(ClaimOutput):
    checks = serializers.SerializerMethodField()
    documents = DocumentOutput(many=True)
    events = EventOutput(many=True)

    class Meta(ClaimOutput.Meta):
        fields = [*ClaimOutput.Meta.fields, "checks", "documents", "events"]

    def get_checks(self, claim: Claim) -> list[dict]:
        return services.claim_checks_shown(claim)


def _detail(claim: Claim, code: int = status.HTTP_200_OK) -> Response:
    claim = Claim.objects.select_related("policy__participant", "payment_request").get(pk=claim.pk)
    return Response(ClaimDetailOutput(claim).data, status=code)


class ClaimListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=ClaimStatus.choices, required=False, allow_blank=True)


class ClaimListApi(ListAPIView):
    """GET: claims (filter ?status=). POST (multipart): submit, with files named
    doc_<kind> (claim_form, medical_certificate, death_certificate, ...)."""

    permission_classes = [ActionPermission]
    required_actions = {"GET": Action.CLAIM_VIEW, "POST": Action.CLAIM_SUBMIT}
    serializer_class = ClaimOutput
    pagination_class = CappedPageNumberPagination
    query_serializer = ClaimListQuery
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return claim_list(status=self.request.query_params.get("status", ""))

    @extend_schema(request=ClaimSubmitInput, responses={201: ClaimDetailOutput})
    def post(self, request):
        data = ClaimSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        heir = Heir.objects.filter(pk=v["heir"]).first() if v.get("heir") else None
        claim = services.claim_submit(
            policy_number=v["policy"],
            benefit=v["benefit"],
            event_date=v["event_date"],
            sick_days=v.get("sick_days"),
            hospital_days=v.get("hospital_days"),
            description=v.get("description", ""),
            heir=heir,
            heir_name=v.get("heir_name", ""),
            heir_relation=v.get("heir_relation", ""),
            payout_method=v["payout_method"],
            bank_name=v.get("bank_name", ""),
            bank_account=v.get("bank_account", ""),
            account_holder=v.get("account_holder", ""),
            documents=uploads_from(request.FILES),
            actor=request.user,
        )
        return _detail(claim, status.HTTP_201_CREATED)


class ClaimDetailApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.CLAIM_VIEW

    @extend_schema(responses=ClaimDetailOutput)
    def get(self, request, pk: int):
        query_input(self)  # no parameters: any is refused, not ignored
        return _detail(get_object_or_404(Claim, pk=pk))


class ClaimDocumentApi(APIView):
    """POST (multipart): more documents (doc_<kind>) for a submitted or returned claim."""

    permission_classes = [ActionPermission]
    required_action = Action.CLAIM_SUBMIT
    parser_classes = [MultiPartParser]

    @extend_schema(request=None, responses={201: ClaimDetailOutput})
    def post(self, request, pk: int):
        claim = get_object_or_404(Claim, pk=pk)
        uploads = uploads_from(request.FILES)
        if not uploads:
            from programme.claims.errors import ClaimError

            raise ClaimError("document_empty", field="documents", filename="-")
        for upload in uploads:
            services.claim_document_add(claim=claim, upload=upload, actor=request.user)
        return _detail(claim, status.HTTP_201_CREATED)


class StepInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    how = serializers.CharField(max_length=200, required=False, allow_blank=True)


def claim_step_api(name: str) -> type[APIView]:
    """POST /api/claims/<pk>/<step>/: one endpoint per workflow step, one shape."""
    step = STEPS[name]

    class StepApi(APIView):
        permission_classes = [ActionPermission]
        required_action = step.action

        @extend_schema(request=StepInput, responses=ClaimDetailOutput, operation_id=f"claim_{name}")
        def post(self, request, pk: int):
            data = StepInput(data=request.data)
            data.is_valid(raise_exception=True)
            claim = get_object_or_404(Claim, pk=pk)
            return _detail(step.run(claim, data.validated_data, request.user))

    StepApi.__name__ = f"Claim{name.title()}Api"
    return StepApi


class PaymentRequestInput(serializers.Serializer):
    claims = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class PaymentRequestOutput(serializers.ModelSerializer):
    claims = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = PaymentRequest
        fields = [
            "id",
            "number",
            "status",
            "total",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "refused_by",
            "refused_at",
            "refusal_reason",
            "paid_by",
            "paid_on",
            "reference",
            "claims",
        ]


class PaymentRequestListApi(APIView):
    permission_classes = [ActionPermission]
    required_actions = {"GET": Action.CLAIM_VIEW, "POST": Action.CLAIM_VERIFY}

    @extend_schema(responses=PaymentRequestOutput(many=True))
    def get(self, request):
        query_input(self)  # no parameters: any is refused, not ignored
        requests = PaymentRequest.objects.prefetch_related("claims")[:100]
        return Response(PaymentRequestOutput(requests, many=True).data)

    @extend_schema(request=PaymentRequestInput, responses={201: PaymentRequestOutput})
    def post(self, request):
        data = PaymentRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        claims = list(Claim.objects.filter(pk__in=data.validated_data["claims"]))
        payment = payments.payment_request_create(claims=claims, actor=request.user)
        return Response(PaymentRequestOutput(payment).data, status=status.HTTP_201_CREATED)


class PaymentApproveApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.CLAIM_APPROVE

    @extend_schema(request=None, responses=PaymentRequestOutput)
    def post(self, request, pk: int):
        payment = get_object_or_404(PaymentRequest, pk=pk)
        payment = payments.payment_request_approve(request=payment, actor=request.user)
        return Response(PaymentRequestOutput(payment).data)


class PaymentRefuseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PaymentRefuseApi(APIView):
    """The Ketua refuses a request, with the reason; its claims go back to verified."""

    permission_classes = [ActionPermission]
    required_action = Action.CLAIM_APPROVE

    @extend_schema(request=PaymentRefuseInput, responses=PaymentRequestOutput)
    def post(self, request, pk: int):
        data = PaymentRefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = payments.payment_request_refuse(
            request=get_object_or_404(PaymentRequest, pk=pk),
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        return Response(PaymentRequestOutput(payment).data)


class PaymentPayInput(serializers.Serializer):
    paid_on = PastDateField(
        named=_("Paid on"), help_text="on or after the approval day, not after today"
    )
    reference = serializers.CharField(max_length=60, help_text="the bank's reference")


class PaymentPayApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.CLAIM_PAY

    @extend_schema(request=PaymentPayInput, responses=PaymentRequestOutput)
    def post(self, request, pk: int):
        data = PaymentPayInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = payments.payment_request_pay(
            request=get_object_or_404(PaymentRequest, pk=pk),
            paid_on=data.validated_data["paid_on"],
            reference=data.validated_data["reference"],
            actor=request.user,
        )
        return Response(PaymentRequestOutput(payment).data)
