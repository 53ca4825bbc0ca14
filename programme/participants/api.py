"""Participants API: one thin view per operation, input and output serializers apart."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from askesos.api import query_input
from askesos.dates import PastDateField
from askesos.files import request_body_too_large
from askesos.money import INCOME_CEILING, RupiahField
from askesos.pagination import CappedPageNumberPagination
from askesos.permissions import Action, ActionPermission
from programme.participants import exports
from programme.participants.cards import card_handover, card_print
from programme.participants.import_files import (
    import_max_bytes,
    import_size_check,
)
from programme.participants.imports import (
    import_batch_expire,
    participants_import_queue,
)
from programme.participants.lifecycle import EFFECTIVE_DATE, policy_transition
from programme.participants.models import (
    DataSource,
    HeirRelation,
    ImportBatch,
    MaritalStatus,
    MemberCard,
    Occupation,
    Participant,
    Policy,
    PolicyStatus,
    PovertyStatus,
    Sex,
)
from programme.participants.selectors import (
    participant_search,
    participants_with_latest_policy,
)
from programme.participants.services import (
    BIRTH_DATE_EARLIEST,
    START_DATE,
    HeirInput,
    ParticipantInput,
    participant_register,
    policy_continue_by_heir,
    policy_reregister,
)


class HeirIO(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    relation = serializers.ChoiceField(choices=HeirRelation.choices)
    nik = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    is_primary = serializers.BooleanField(default=False)


class ParticipantRegisterInput(serializers.Serializer):
    nik = serializers.CharField(max_length=24)
    name = serializers.CharField(max_length=150)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = PastDateField(
        named=capfirst(Participant._meta.get_field("birth_date").verbose_name),
        earliest=BIRTH_DATE_EARLIEST,
    )
    marital_status = serializers.ChoiceField(choices=MaritalStatus.choices)
    occupation = serializers.ChoiceField(choices=Occupation.choices)
    monthly_income = RupiahField(zero_allowed=True, ceiling=INCOME_CEILING)
    household_size = serializers.IntegerField(min_value=1, max_value=50, default=1)
    is_breadwinner = serializers.BooleanField(default=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    village_code = serializers.CharField(max_length=13)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    data_source = serializers.ChoiceField(choices=DataSource.choices)
    poverty_status = serializers.ChoiceField(choices=PovertyStatus.choices)
    documents = serializers.ListField(child=serializers.CharField(), default=["ktp_or_domicile"])
    heirs = HeirIO(many=True, required=False, default=list)
    nik_override_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    start_date = PastDateField(named=START_DATE, required=False)


class PolicyOutput(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme_version.name")

    class Meta:
        model = Policy
        fields = ["id", "number", "status", "start_date", "end_date", "scheme", "continued_from"]


class ParticipantListOutput(serializers.ModelSerializer):
    policy_number = serializers.CharField(
        source="latest_policy.number", allow_null=True, default=None
    )
    policy_status = serializers.CharField(
        source="latest_policy.status", allow_null=True, default=None
    )
    village_name = serializers.CharField(source="village.name")

    class Meta:
        model = Participant
        fields = [
            "id",
            "nik",
            "name",
            "sex",
            "birth_date",
            "village",
            "village_name",
            "occupation",
            "data_source",
            "poverty_status",
            "policy_number",
            "policy_status",
        ]


class ParticipantDetailOutput(serializers.ModelSerializer):
    heirs = HeirIO(many=True)
    policies = PolicyOutput(many=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "nik",
            "name",
            "sex",
            "birth_date",
            "marital_status",
            "occupation",
            "monthly_income",
            "household_size",
            "is_breadwinner",
            "address",
            "village",
            "phone",
            "data_source",
            "poverty_status",
            "documents",
            "nik_override_reason",
            "heirs",
            "policies",
            "created_at",
        ]


class ParticipantSearchQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="NIK, policy number or name"
    )
    status = serializers.ChoiceField(choices=PolicyStatus.choices, required=False, allow_blank=True)


class ParticipantListApi(ListAPIView):
    """Search the registry: `q` is a NIK, a policy number or part of a name."""

    permission_classes = [ActionPermission]
    required_actions = {"GET": Action.PARTICIPANT_VIEW, "POST": Action.PARTICIPANT_REGISTER}
    serializer_class = ParticipantListOutput
    pagination_class = CappedPageNumberPagination
    filterset_fields = ["village", "data_source", "poverty_status", "occupation", "sex"]
    query_serializer = ParticipantSearchQuery

    def get_queryset(self):
        return participant_search(
            query=self.request.query_params.get("q", ""),
            status=self.request.query_params.get("status", ""),
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return participants_with_latest_policy(list(page)) if page is not None else None

    @extend_schema(request=ParticipantRegisterInput, responses={201: PolicyOutput})
    def post(self, request):
        data = ParticipantRegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        heirs = tuple(HeirInput(**h) for h in values.pop("heirs"))
        override = values.pop("nik_override_reason")
        start = values.pop("start_date", None)
        values["documents"] = tuple(values["documents"])
        policy = participant_register(
            data=ParticipantInput(**values, heirs=heirs),
            actor=request.user,
            start_date=start,
            nik_override_reason=override,
        )
        return Response(PolicyOutput(policy).data, status=status.HTTP_201_CREATED)


def _input_from(validated: dict) -> tuple[ParticipantInput, str, object]:
    values = dict(validated)
    heirs = tuple(HeirInput(**h) for h in values.pop("heirs"))
    override = values.pop("nik_override_reason")
    start = values.pop("start_date", None)
    values["documents"] = tuple(values["documents"])
    return ParticipantInput(**values, heirs=heirs), override, start


class PolicyReregisterApi(APIView):
    """A new policy for a participant whose last policy matured, lapsed or was withdrawn."""

    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_REGISTER

    @extend_schema(request=None, responses={201: PolicyOutput})
    def post(self, request, pk: int):
        policy = policy_reregister(
            participant=get_object_or_404(Participant, pk=pk), actor=request.user
        )
        return Response(PolicyOutput(policy).data, status=status.HTTP_201_CREATED)


class PolicyContinueByHeirApi(APIView):
    """The heir of a deceased participant continues the membership (a new participant)."""

    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_REGISTER

    @extend_schema(request=ParticipantRegisterInput, responses={201: PolicyOutput})
    def post(self, request, pk: int):
        data = ParticipantRegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        heir, override, _start = _input_from(data.validated_data)
        policy = policy_continue_by_heir(
            policy=get_object_or_404(Policy, pk=pk),
            heir_data=heir,
            actor=request.user,
            nik_override_reason=override,
        )
        return Response(PolicyOutput(policy).data, status=status.HTTP_201_CREATED)


class ParticipantDetailApi(RetrieveAPIView):
    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_VIEW
    serializer_class = ParticipantDetailOutput
    queryset = Participant.objects.prefetch_related("heirs", "policies__scheme_version")


class PolicyTransitionInput(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=PolicyStatus.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    effective_date = PastDateField(named=EFFECTIVE_DATE, required=False)


class PolicyTransitionApi(APIView):
    """Change a policy's status (withdrawal, death, ...) along the lifecycle."""

    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_REGISTER

    @extend_schema(request=PolicyTransitionInput, responses=PolicyOutput)
    def post(self, request, pk: int):
        data = PolicyTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        policy = policy_transition(
            policy=get_object_or_404(Policy, pk=pk), actor=request.user, **data.validated_data
        )
        return Response(PolicyOutput(policy).data)


class CardPrintApi(APIView):
    """Print a member card (records the printing): returns the PDF."""

    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_REGISTER

    @extend_schema(request=None, responses={(200, "application/pdf"): bytes})
    def post(self, request, pk: int):
        card, content = card_print(policy=get_object_or_404(Policy, pk=pk), actor=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="kartu-{card.policy.number}.pdf"'
        return response


class CardHandoverInput(serializers.Serializer):
    received_by = serializers.CharField(max_length=150)
    on = PastDateField(named=_("Handed over on"), required=False)


class CardHandoverApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_REGISTER

    @extend_schema(request=CardHandoverInput, responses={200: None})
    def post(self, request, pk: int):
        data = CardHandoverInput(data=request.data)
        data.is_valid(raise_exception=True)
        card = card_handover(
            card=get_object_or_404(MemberCard, pk=pk), actor=request.user, **data.validated_data
        )
        return Response({"handed_over_on": card.handed_over_on, "received_by": card.received_by})


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)
    skip_invalid = serializers.BooleanField(default=False)


class ImportRowErrorOutput(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportBatchOutput(serializers.ModelSerializer):
    """An import and its state: queued, running, done (with the per-row report and the
    outcome: dry_run, written, or refused with `error`) or failed (`error_code` and
    `error` say why the whole file was refused)."""

    batch = serializers.IntegerField(source="pk", read_only=True)
    errors = ImportRowErrorOutput(many=True, read_only=True)
    notes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "batch",
            "filename",
            "size",
            "state",
            "outcome",
            "dry_run",
            "skip_invalid",
            "rows_total",
            "rows_valid",
            "rows_written",
            "errors",
            "notes",
            "error_code",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ParticipantImportApi(APIView):
    """Upload a CSV/XLSX list: 202 with the queued import; the worker reads and checks
    it (dry run by default: the per-row report, nothing written). Follow `Location`
    (GET /api/participants/imports/{id}/) until its state is done or failed."""

    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_REGISTER
    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs):
        # Before anything reads the body (the session's CSRF check reads the form).
        declared = request_body_too_large(request, import_max_bytes())
        if declared:
            import_size_check(declared)
        super().initial(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": ImportInput}, responses={202: ImportBatchOutput})
    def post(self, request):
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        batch = participants_import_queue(
            file=upload,
            filename=upload.name or "",
            size=upload.size,
            actor=request.user,
            dry_run=data.validated_data["dry_run"],
            skip_invalid=data.validated_data["skip_invalid"],
        )
        location = reverse("api-participant-import-batch", args=[batch.pk])
        return Response(
            ImportBatchOutput(batch).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


class ParticipantImportBatchApi(RetrieveAPIView):
    """One import of this LPA and its state (see ParticipantImportApi)."""

    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_REGISTER
    serializer_class = ImportBatchOutput
    queryset = ImportBatch.objects.all()

    def get_object(self):
        return import_batch_expire(super().get_object())


class ExportQuery(serializers.Serializer):
    type = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")


class ParticipantExportApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_VIEW
    query_serializer = ExportQuery

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request):
        return exports.registry_export_response(kind=query_input(self)["type"])
