"""Demo data: one province, two kabupaten/kota, three LPAs with their teams and one
user per government level, their claims, subsidies and last month's reports.
Idempotent: running the demo again reuses what exists."""

from __future__ import annotations

from dataclasses import dataclass, field

from django_tenants.utils import schema_context

from askesos.accounts.services import government_scope_assign, membership_grant, user_get_or_create
from askesos.roles import GovernmentLevel, GovernmentRole, LpaRole
from tenants.services import domain_for, lpa_provision

DEMO_PASSWORD = "askesos-demo"

DEMO_LPAS = (
    # name, slug, legal form, regency (Sulawesi Tenggara), NPWP (valid check digit)
    ("Yayasan Bina Sejahtera", "bina-sejahtera", "yayasan", "74.71", "01.234.567.4-741.000"),
    ("LKM Mitra Nelayan", "mitra-nelayan", "lkm", "74.71", "02.345.678.3-741.000"),
    (
        "Lembaga Adat Tolaki Mepokoaso",
        "tolaki-mepokoaso",
        "lembaga_adat",
        "74.02",
        "03.456.789.1-741.000",
    ),
)
DEMO_STAFF_ROLES = (
    LpaRole.KETUA,
    LpaRole.SEKRETARIS,
    LpaRole.BENDAHARA,
    LpaRole.KLAIM,
    LpaRole.PETUGAS_LAPANGAN,
)
DEMO_GOVERNMENT = (
    # username, full name, level, role, province, regency, office
    (
        "kemensos",
        "Dit. Jamkesos Kemensos",
        GovernmentLevel.MINISTRY,
        GovernmentRole.OFFICER,
        None,
        None,
        "Direktorat Jaminan Kesejahteraan Sosial",
    ),
    (
        "dinsos.sultra",
        "Dinas Sosial Sulawesi Tenggara",
        GovernmentLevel.PROVINCE,
        GovernmentRole.OFFICER,
        "74",
        None,
        "Dinas Sosial Provinsi Sulawesi Tenggara",
    ),
    (
        "dinsos.sultra.2",
        "Dinas Sosial Sulawesi Tenggara (pemeriksa)",
        GovernmentLevel.PROVINCE,
        GovernmentRole.OFFICER,
        "74",
        None,
        "Dinas Sosial Provinsi Sulawesi Tenggara",
    ),
    (
        "dinsos.kendari",
        "Dinas Sosial Kota Kendari",
        GovernmentLevel.REGENCY,
        GovernmentRole.OFFICER,
        None,
        "74.71",
        "Dinas Sosial Kota Kendari",
    ),
    (
        "dinsos.konawe",
        "Dinas Sosial Kabupaten Konawe",
        GovernmentLevel.REGENCY,
        GovernmentRole.OFFICER,
        None,
        "74.02",
        "Dinas Sosial Kabupaten Konawe",
    ),
    (
        "auditor",
        "Inspektorat Jenderal (auditor)",
        GovernmentLevel.MINISTRY,
        GovernmentRole.AUDITOR,
        None,
        None,
        "Inspektorat Jenderal Kemensos",
    ),
)


@dataclass
class DemoLogins:
    lpas: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    government: list[tuple[str, str]] = field(default_factory=list)


DEMO_PARTICIPANTS_PER_LPA = 40


def demo_username(*, role: LpaRole, slug: str) -> str:
    return f"{role.value.split('_')[0]}.{slug.split('-')[0]}"


def demo_logins() -> DemoLogins:
    """Who signs in where: read from the demo's definitions, without the database, so
    `askesos demo --logins` can print it again while the demo runs."""
    logins = DemoLogins()
    for name, slug, _legal_form, _regency, _npwp in DEMO_LPAS:
        staff = [
            (demo_username(role=role, slug=slug), str(role.label)) for role in DEMO_STAFF_ROLES
        ]
        logins.lpas.append((name, domain_for(slug), staff))
    for username, _full_name, _level, _role, _province, _regency, office in DEMO_GOVERNMENT:
        logins.government.append((username, office))
    return logins


def demo_data_create() -> DemoLogins:
    from programme.claims.demo import demo_claims_create
    from programme.generator import generate
    from programme.participants.demo import demo_groups_create
    from programme.participants.models import Participant
    from programme.subsidies.demo import demo_subsidies_create
    from reporting.demo import demo_reports_create

    lpas, team = [], {}
    for name, slug, legal_form, regency, npwp in DEMO_LPAS:
        lpa = lpa_provision(
            name=name, slug=slug, legal_form=legal_form, regency_code=regency, npwp=npwp
        )
        lpas.append(lpa)
        team[slug] = {}
        for role in DEMO_STAFF_ROLES:
            user = user_get_or_create(
                username=demo_username(role=role, slug=slug),
                password=DEMO_PASSWORD,
                full_name=f"{role.label} {name}",
            )
            membership_grant(lpa=lpa, user=user, role=role)
            team[slug][role.value] = user
    government = {}
    for username, full_name, level, role, province, regency, office in DEMO_GOVERNMENT:
        user = user_get_or_create(username=username, password=DEMO_PASSWORD, full_name=full_name)
        government[username] = user
        government_scope_assign(
            user=user,
            level=level,
            role=role,
            province_code=province,
            regency_code=regency,
            office_name=office,
        )
    empty = []
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            if not Participant.objects.exists():
                empty.append(lpa)
    generate(lpas=0, participants=DEMO_PARTICIPANTS_PER_LPA, seed=1, existing=empty)
    for lpa in lpas:
        demo_claims_create(lpa=lpa, staff=team[lpa.slug])
        demo_groups_create(lpa=lpa, officer=team[lpa.slug][LpaRole.PETUGAS_LAPANGAN.value])
    # Needs the fake bank running (askesos demo starts it first).
    demo_subsidies_create(
        lpas=lpas,
        ministry=government["kemensos"],
        maker=government["dinsos.sultra"],
        checker=government["dinsos.sultra.2"],
    )
    # Last month's reports: accepted, waiting for review, and a draft.
    demo_reports_create(
        lpas=lpas,
        ketua={slug: people[LpaRole.KETUA.value] for slug, people in team.items()},
        reviewer=government["dinsos.kendari"],
    )
    return demo_logins()
