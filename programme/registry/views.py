from django.shortcuts import render

from programme.registry.models import CardCheck


def card_verify(request, token: str):
    """Public: what a scanned member card's QR code shows. Validity only, no PII."""
    check = CardCheck.objects.select_related("lpa").filter(token=token).first()
    return render(
        request, "registry/card_check.html", {"check": check}, status=200 if check else 404
    )
