"""Ledger API: premiums, hand-overs, payouts, loans, grants, closing, books."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from askesos.api import query_input
from askesos.dates import PastDateField, month_in_range, today
from askesos.money import RupiahField
from askesos.permissions import Action, ActionPermission
from programme.ledger import book_output, books, funds, premiums, services
from programme.ledger.models import CashHandover, LoanInstallment, Payout, PremiumReceipt
from programme.participants.models import Participant, Policy
from tenants.selectors import lpa_current


class ReceiptRowIO(serializers.Serializer):
    # Empty or left out: the next KW-<yymm>-<n> number of the LPA.
    number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    # Any case: "aks-7471-0001-0000042" finds AKS-7471-0001-0000042.
    policy_number = serializers.CharField(max_length=32)
    months = serializers.IntegerField(min_value=1, max_value=36)
    amount = RupiahField()


class ReceiptBatchInput(serializers.Serializer):
    received_on = PastDateField(named=_("Date received"))
    rows = ReceiptRowIO(many=True)


class ReceiptBatchApi(APIView):
    """Record the receipts of a meeting; each row stands alone."""

    permission_classes = [ActionPermission]
    required_action = Action.PREMIUM_RECORD

    @extend_schema(request=ReceiptBatchInput, responses={200: dict})
    def post(self, request):
        data = ReceiptBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = premiums.premium_receipts_batch(
            rows=[premiums.ReceiptRow(**row) for row in data.validated_data["rows"]],
            received_on=data.validated_data["received_on"],
            actor=request.user,
        )
        return Response(
            {
                "recorded": [r.number for r in result.recorded],
                "errors": [{"row": index, "message": message} for index, message in result.errors],
            }
        )


class HandoverInput(serializers.Serializer):
    receipts = serializers.ListField(child=serializers.CharField(), min_length=1)
    date = PastDateField(named=_("Hand-over date"))


class HandoverApi(APIView):
    """The Bendahara receives receipts and cash from a field officer."""

    permission_classes = [ActionPermission]
    required_action = Action.PREMIUM_RECEIVE

    @extend_schema(request=HandoverInput, responses={201: dict})
    def post(self, request):
        data = HandoverInput(data=request.data)
        data.is_valid(raise_exception=True)
        receipts = list(PremiumReceipt.objects.filter(number__in=data.validated_data["receipts"]))
        handed_by = receipts[0].collected_by if receipts else None
        handover = premiums.cash_handover(
            receipts=receipts,
            handed_by=handed_by,
            actor=request.user,
            date=data.validated_data["date"],
        )
        return Response(
            {"id": handover.pk, "amount": handover.amount}, status=status.HTTP_201_CREATED
        )


class DepositInput(serializers.Serializer):
    date = PastDateField(named=_("Deposit date"))
    bank_reference = serializers.CharField(max_length=60)


class DepositApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.PREMIUM_RECEIVE

    @extend_schema(request=DepositInput, responses={200: dict})
    def post(self, request, pk: int):
        data = DepositInput(data=request.data)
        data.is_valid(raise_exception=True)
        handover = premiums.bank_deposit(
            handover=get_object_or_404(CashHandover, pk=pk),
            actor=request.user,
            **data.validated_data,
        )
        return Response({"id": handover.pk, "deposited": True})


class PayoutInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Payout.Reason.choices)
    paid_on = PastDateField(named=_("Paid on"))
    withdrawal_request = serializers.CharField(max_length=300, required=False, default="")


class PayoutApi(APIView):
    """Pay a participant's saved premiums back (maturity or withdrawal)."""

    permission_classes = [ActionPermission]
    required_action = Action.LEDGER_POST

    @extend_schema(request=PayoutInput, responses={201: dict})
    def post(self, request, pk: int):
        data = PayoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        payout = premiums.savings_payout(
            policy=get_object_or_404(Policy, pk=pk), actor=request.user, **data.validated_data
        )
        return Response(
            {"amount": payout.amount, "paid_on": payout.paid_on}, status=status.HTTP_201_CREATED
        )


class NearLapseApi(APIView):
    """Policies one unpaid month from lapsing: the field officers' visit list."""

    permission_classes = [ActionPermission]
    required_action = Action.PARTICIPANT_VIEW

    @extend_schema(responses={200: dict})
    def get(self, request):
        query_input(self)  # no parameters: any is refused, not ignored
        near = premiums.policies_near_lapse(on=datetime.date.today())
        return Response(
            [
                {
                    "policy": p.number,
                    "participant": p.participant.name,
                    "phone": p.participant.phone,
                }
                for p in near
            ]
        )


class LoanInput(serializers.Serializer):
    participant = serializers.IntegerField()
    principal = RupiahField()
    fee = RupiahField(zero_allowed=True, default=0)
    installments = serializers.IntegerField(min_value=1, max_value=36)
    purpose = serializers.CharField(max_length=200)
    date = PastDateField()


class LoanApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.LEDGER_POST

    @extend_schema(request=LoanInput, responses={201: dict})
    def post(self, request):
        data = LoanInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        participant = get_object_or_404(Participant, pk=values.pop("participant"))
        loan = funds.loan_disburse(participant=participant, actor=request.user, **values)
        return Response(
            {
                "id": loan.pk,
                "schedule": list(loan.schedule.values("number", "due_on", "principal", "fee")),
            },
            status=status.HTTP_201_CREATED,
        )


class RepaymentInput(serializers.Serializer):
    date = PastDateField(named=_("Date paid"))


class RepaymentApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.LEDGER_POST

    @extend_schema(request=RepaymentInput, responses={200: dict})
    def post(self, request, pk: int):
        data = RepaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        installment = funds.loan_repay(
            installment=get_object_or_404(LoanInstallment, pk=pk),
            actor=request.user,
            **data.validated_data,
        )
        return Response({"paid_on": installment.paid_on})


class GrantInput(serializers.Serializer):
    donor = serializers.CharField(max_length=150)
    purpose = serializers.CharField(max_length=300)
    amount = RupiahField()
    date = PastDateField()
    reference = serializers.CharField(max_length=60)


class GrantApi(APIView):
    permission_classes = [ActionPermission]
    required_action = Action.LEDGER_POST

    @extend_schema(request=GrantInput, responses={201: dict})
    def post(self, request):
        data = GrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = funds.grant_receive(actor=request.user, **data.validated_data)
        return Response({"id": grant.pk}, status=status.HTTP_201_CREATED)


class SourceInput(serializers.Serializer):
    amount = RupiahField()
    date = PastDateField()
    reference = serializers.CharField(max_length=60)


class _SourceApi(APIView):
    """Money arriving from outside (a two-line entry through `record`)."""

    permission_classes = [ActionPermission]
    required_action = Action.LEDGER_POST
    record = None

    @extend_schema(request=SourceInput, responses={201: dict})
    def post(self, request):
        data = SourceInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = type(self).record(actor=request.user, **data.validated_data)
        return Response({"entry": entry.pk}, status=status.HTTP_201_CREATED)


class PremiumAidApi(_SourceApi):
    """Government premium aid (bantuan iuran) received in the premium account."""

    record = staticmethod(premiums.premium_aid_record)


class SubsidyApi(_SourceApi):
    """The claim-reserve subsidy received in the government bank account."""

    record = staticmethod(funds.subsidy_receive)


class PeriodActionInput(serializers.Serializer):
    month = PastDateField(named=_("Month"), help_text="any day of the month")
    reason = serializers.CharField(max_length=300, required=False, default="")


class _PeriodApi(APIView):
    permission_classes = [ActionPermission]
    act = None

    @extend_schema(request=PeriodActionInput, responses={200: dict})
    def post(self, request):
        data = PeriodActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        period = self.act(request.user, data.validated_data)
        return Response({"month": period.month, "status": period.status})


class PeriodPrepareApi(_PeriodApi):
    required_action = Action.PERIOD_PREPARE

    def act(self, user, values):
        return services.period_prepare(month=values["month"], actor=user)


class PeriodSignApi(_PeriodApi):
    required_action = Action.PERIOD_SIGN

    def act(self, user, values):
        return services.period_sign(month=values["month"], actor=user)


class PeriodReopenApi(_PeriodApi):
    required_action = Action.PERIOD_SIGN

    def act(self, user, values):
        return services.period_reopen(month=values["month"], actor=user, reason=values["reason"])


class BookQuery(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        help_text="YYYY-MM (default: this month)",
        error_messages={"invalid": _("Write the month as YYYY-MM, for example 2026-11.")},
    )
    file = serializers.ChoiceField(choices=["xlsx", "pdf"], required=False)


class BookApi(APIView):
    """A book for a month: JSON, or the file with ?file=xlsx|pdf."""

    permission_classes = [ActionPermission]
    required_action = Action.BOOKS_VIEW
    query_serializer = BookQuery

    @extend_schema(responses={200: dict})
    def get(self, request, slug: str):
        query = query_input(self)
        book = book_for_request(slug, query.get("month"))
        kind = query.get("file")
        if kind in {"xlsx", "pdf"}:
            return book_file_response(book, kind)
        return Response(book_output.book_as_dict(book))


def book_for_request(slug: str, month: str | None) -> books.Book:
    from django.http import Http404

    if slug not in books.ALL_SLUGS:
        raise Http404
    day = month_in_range(f"{month}-01" if month else today(), field="month", label=_("Month"))
    return books.book_get(slug, day)


def book_file_response(book: books.Book, kind: str) -> HttpResponse:
    lpa = lpa_current()
    name = f"{book.slug}-{book.month:%Y-%m}"
    if kind == "pdf":
        response = HttpResponse(
            book_output.book_pdf(book, lpa.name), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    else:
        response = HttpResponse(
            book_output.book_xlsx(book, lpa.name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
