"""Reads of claims for the pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from programme.claims.models import Claim, ClaimStatus, PaymentRequest


def claim_list(*, status: str = "") -> QuerySet[Claim]:
    claims = Claim.objects.select_related("policy__participant")
    if status in ClaimStatus.values:
        claims = claims.filter(status=status)
    return claims.order_by("-submitted_at", "-pk")


def claims_ready_for_payment() -> QuerySet[Claim]:
    """Verified claims the LPA pays, not yet in a payment request."""
    return (
        Claim.objects.filter(status=ClaimStatus.VERIFIED, payout_route="lpa")
        .select_related("policy__participant")
        .order_by("verified_at", "pk")
    )


def payment_request_claims(request: PaymentRequest) -> QuerySet[Claim]:
    """The claims a request holds, or held when the Ketua refused it."""
    claims = (
        Claim.objects.filter(pk__in=request.refused_claims)
        if request.status == PaymentRequest.Status.REFUSED
        else request.claims.all()
    )
    return claims.select_related("policy__participant").order_by("pk")
