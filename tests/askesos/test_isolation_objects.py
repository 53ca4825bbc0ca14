"""Tenant isolation with another LPA's real objects: LPA A has a history (participants,
receipts, a paid claim with its documents and payment request, member cards, a
withdrawal, a death, a subsidy, a grant); LPA B a smaller one and a team member of each
role. Every route of an LPA's site is called on B's address by each of B's roles with
A's own identifiers (A's ids that B does not have, A's card token, A's codes), GET and
POST, and every search with A's NIKs, policy numbers and names: no answer holds any of
A's data, none is a 500, and afterwards A's tables hold exactly what they held.

(tests/askesos/test_isolation.py walks every route with a member of another LPA, a
replayed session and a government user; this module adds A's real data.)
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from askesos.roles import LpaRole
from tests.askesos.test_isolation import TENANT_ROUTES
from tests.conftest import client_on, host_of

SECRET = "Penanda Rahasia Iso A"
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
B_SIZE = 6  # participants of B (and the first of A)


@pytest.fixture(scope="module")
def lpas(module_committed, django_db_blocker):
    """A with 24 generated participants, a history, three marked participants with a
    paid sickness claim and a printed card; B with 4 participants and its team."""
    from askesos.accounts.services import membership_grant, user_create
    from programme.participants.cards import card_print
    from tests.conftest import PASSWORD
    from tests.programme.claims_helpers import paying_policy, submit
    from tests.programme.test_claims import walk_to_payment
    from tests.reporting.dashboard_helpers import lpas_with_history
    from tests.reporting.report_helpers import HISTORY_START

    with django_db_blocker.unblock():
        a, b = lpas_with_history(
            module_committed,
            names=["Iso A", "Iso B"],
            regencies=["74.71", "74.71"],
            participants=B_SIZE,
            seed=61,
        )
        team = {}
        for lpa in (a, b):
            for role in LpaRole.values:
                username = f"{lpa.slug}-{role}"
                user = user_create(username=username, password=PASSWORD)
                module_committed.usernames.append(username)
                membership_grant(lpa=lpa, user=user, role=role)
                team[(lpa.slug, role)] = user
        connection.set_tenant(a)
        from programme.generator import generate

        generate(lpas=0, participants=18, seed=62, existing=[a])
        connection.set_tenant(a)
        marked = [
            paying_policy(serial=9300 + n, name=f"{SECRET} {n}", start=HISTORY_START, months=12)
            for n in range(3)
        ]

        class Team:
            officer = team[(a.slug, LpaRole.PETUGAS_LAPANGAN)]
            klaim = team[(a.slug, LpaRole.KLAIM)]
            ketua = team[(a.slug, LpaRole.KETUA)]
            bendahara = team[(a.slug, LpaRole.BENDAHARA)]

        claim = submit(marked[0], Team.officer, event=datetime.date(2026, 9, 1))
        walk_to_payment(claim, Team, paid_on=datetime.date(2026, 9, 15))
        card_print(policy=marked[1])
        connection.set_schema_to_public()
    return a, b, team


def _ids(lpa) -> dict[str, list]:
    from programme.claims.models import Claim, ClaimDocument, PaymentRequest
    from programme.participants.models import MemberCard, Participant, Policy

    with schema_context(lpa.schema_name):
        policies = list(Policy.objects.order_by("pk"))
        return {
            "participant": list(Participant.objects.values_list("pk", flat=True)),
            "policy": [p.pk for p in policies],
            "card": list(MemberCard.objects.values_list("pk", flat=True)),
            "claim": list(Claim.objects.values_list("pk", flat=True)),
            "document": list(ClaimDocument.objects.values_list("pk", flat=True)),
            "payment": list(PaymentRequest.objects.values_list("pk", flat=True)),
            "token": [p.card_token for p in policies if p.card_token],
            "number": [p.number for p in policies],
        }


def _a_data(a, b) -> tuple[dict[str, list], set[str]]:
    """A's identifiers per kind that B does not have (B's objects with the same small
    ids are B's own, in its own schema: no leak), and the texts that would betray A's
    data: NIKs, policy and claim numbers, the marked names."""
    from programme.claims.models import Claim
    from programme.participants.models import Participant

    mine, theirs = _ids(a), _ids(b)
    ids = {kind: [v for v in values if v not in set(theirs[kind])] for kind, values in mine.items()}
    with schema_context(a.schema_name):
        secrets = set(Participant.objects.values_list("nik", flat=True))
        secrets |= set(
            Participant.objects.filter(name__startswith=SECRET).values_list("name", flat=True)
        )
        secrets |= set(Claim.objects.values_list("number", flat=True))
    secrets |= set(ids["number"])
    return ids, {s for s in secrets if s}


def _kind(path: str, param: str) -> str:
    if param == "document":
        return "document"
    if param == "token":
        return "token"
    for prefix, kind in (
        ("/peserta/", "participant"),
        ("/api/participants/", "participant"),
        ("/polis/", "policy"),
        ("/api/policies/", "policy"),
        ("/kartu/", "card"),
        ("/api/cards/", "card"),
        ("/klaim/pembayaran/", "payment"),
        ("/api/claims/payment-requests/", "payment"),
        ("/klaim/", "claim"),
        ("/api/claims/", "claim"),
    ):
        if path.startswith(prefix):
            return kind
    return "other"


def _paths(ids: dict[str, list]) -> list[tuple[str, str]]:
    """Each route with a parameter, filled with A's identifiers (those B lacks)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    filled = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and "<" in str(p.pattern):
                filled.extend((p.name, path) for path in _fill("/" + prefix + str(p.pattern)))

    def _fill(pattern: str) -> list[str]:
        values = []
        for _converter, name in PARAM.findall(pattern):
            kind = _kind(pattern, name)
            if kind == "other":
                # A's codes and slugs are B's too (a period, a book, an account):
                # B's own object answers, which the body check covers.
                own = {"code": ["2026-09", "2026-T3", "1201"], "slug": ["kas-harian"]}
                values.append(own.get(name, [str(B_SIZE + 40)]))
            else:
                values.append([str(v) for v in ids[kind]][-2:])
        paths = [pattern]
        for choices in values:
            paths = [PARAM.sub(lambda _m, c=c: c, path, count=1) for path in paths for c in choices]
        return paths

    walk(get_resolver("askesos.urls_tenant").url_patterns)
    return filled


def _fingerprint(a) -> dict[str, int]:
    """Row counts of every table of A's schema (rows can only be added or changed by
    something that reaches A)."""
    with schema_context(a.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY 1",
            [a.schema_name],
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(
                "SELECT count(*), md5(string_agg(t::text, '' ORDER BY t::text)) "
                f'FROM "{a.schema_name}"."{table}" t'
            )
            count, digest = cursor.fetchone()
            counts[table] = (count, digest)
    return counts


def _leaks(content: bytes, secrets: set[str]) -> list[str]:
    return [s for s in secrets if s.encode() in content]


@pytest.mark.parametrize("role", LpaRole.values)
def test_each_role_of_b_reaches_none_of_as_objects(db, lpas, role):
    a, b, team = lpas
    ids, secrets = _a_data(a, b)
    assert len(ids["participant"]) > 15 and ids["claim"] and ids["card"] and ids["token"]
    before = _fingerprint(a)
    client = client_on(host_of(b), team[(b.slug, role)])
    answered = 0
    for name, path in _paths(ids):
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            answered += 1
            assert response.status_code < 500, (method, path, response.status_code)
            assert not _leaks(response.content, secrets), (method, path)
            if name not in {"book", "api-book", "bank-reconciliation", "report", "report-pdf"}:
                assert response.status_code in (400, 403, 404, 405), (method, path)
    assert answered > 100
    assert _fingerprint(a) == before


@pytest.mark.parametrize("role", [LpaRole.KETUA, LpaRole.PETUGAS_LAPANGAN, LpaRole.KLAIM])
def test_searching_b_for_as_people_finds_nothing_of_a(db, lpas, role):
    a, b, team = lpas
    ids, secrets = _a_data(a, b)
    client = client_on(host_of(b), team[(b.slug, role)])
    nik = next(s for s in secrets if s.isdigit() and len(s) == 16)
    lists = [path for name, path in TENANT_ROUTES if "<" not in path]
    asked = 0
    for path in lists:
        for query in (
            {"q": nik},
            {"q": SECRET},
            {"q": ids["number"][-1]},
            {"number": ids["number"][-1]},
            {"nik": nik},
        ):
            response = client.get(path, query)
            asked += 1
            assert response.status_code < 500, (path, query, response.status_code)
            # The search box shows what was typed: any other of A's data would be a find.
            echoed = set(query.values())
            assert not _leaks(response.content, secrets - echoed), (path, query)
    assert asked > 100
