"""The fixed cast of every view test (see STYLE.md), on the legacy Hà Nam tree:

- officer_a: commune officer of Xã Bình Nghĩa (13504, district Bình Lục 352)
- officer_b: commune officer of Xã Tràng An (13510, district Bình Lục 352)
- district_reader: district staff of Bình Lục (352)
- province_reader: provincial staff of Hà Nam (35)
- admin: the administrator
- surveyor_a: surveyor (rà soát viên) of commune A, assigned village A only (not village A2)
- village_head_a: village head (trưởng thôn) of commune A, village A

and, for the rules that keep provinces apart, a second province in the same legacy edition (an
excerpt of Nam Định, 36, loaded from tests/data only by the tests that ask for it):

- province_reader_b: provincial staff of Nam Định (36)
- officer_province_b: commune officer of Xã Hiển Khánh (13747, district Vụ Bản 359)
- round_2025_b: the 2025 periodic round of Nam Định
"""

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User
from areas.models import AdminUnit
from areas.services import edition_get, unit_resolve, units_load_legacy
from households.services import household_register
from households.villages import village_create
from survey.models import CommuneTotal, ReviewRound
from survey.services import round_open

PASSWORD = "Mật-khẩu-thử-1"
PROVINCE_B_DATA = Path(__file__).resolve().parent / "data" / "legacy-36-nam-dinh-excerpt.json"


# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures in
# that same thread are safe here (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (a test tool's own browser download does not work on these machines)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(
                f"REQUIRE_BROWSER is set but {CHROMIUM} is missing: apt-get install chromium"
            )
        pytest.skip("no Chromium on this machine: apt-get install chromium to run browser tests")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One database unless a test asks for the replica (tests/test_report_replica.py): a test's
    # rows live in its open transaction, which the replica's own connection cannot see.
    settings.REPORTS_READ_DATABASE = None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A "replica" alias beside "default" (unless DATABASE_REPLICA_URL made one): a test mirror,
    i.e. a second connection to the same test database, as a streaming replica would be."""
    from django.db import connections

    databases = connections.settings  # the same dict as settings.DATABASES
    if "replica" not in databases:
        databases["replica"] = {**databases["default"], "TEST": {"MIRROR": "default"}}
        connections.configure_settings(databases)


@pytest.fixture
def legacy_tree(db):
    units_load_legacy()
    return edition_get(legacy=True)


def _unit(edition, code: str) -> AdminUnit:
    return unit_resolve(code, edition=edition)


@pytest.fixture
def commune_a(legacy_tree) -> AdminUnit:
    return _unit(legacy_tree, "13504")


@pytest.fixture
def commune_b(legacy_tree) -> AdminUnit:
    return _unit(legacy_tree, "13510")


@pytest.fixture
def commune_outside_district(legacy_tree) -> AdminUnit:
    """Phường Quang Trung, Phủ Lý: in the province, outside Bình Lục."""
    return _unit(legacy_tree, "13285")


def _make_user(username: str, role: str, unit: AdminUnit | None) -> User:
    user = User(username=username, role=role, unit=unit, first_name=username)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def officer_a(commune_a) -> User:
    return _make_user("xa-13504", User.Role.COMMUNE_OFFICER, commune_a)


@pytest.fixture
def officer_b(commune_b) -> User:
    return _make_user("xa-13510", User.Role.COMMUNE_OFFICER, commune_b)


@pytest.fixture
def district_reader(legacy_tree) -> User:
    return _make_user("huyen-352", User.Role.DISTRICT_STAFF, _unit(legacy_tree, "352"))


@pytest.fixture
def province_reader(legacy_tree) -> User:
    return _make_user("tinh-35", User.Role.PROVINCE_STAFF, _unit(legacy_tree, "35"))


@pytest.fixture
def admin(legacy_tree) -> User:
    return _make_user("admin", User.Role.ADMIN, None)


@pytest.fixture
def cast(
    officer_a, officer_b, district_reader, province_reader, admin, surveyor_a, village_head_a
) -> dict[str, User]:
    return {
        "officer_a": officer_a,
        "officer_b": officer_b,
        "district_reader": district_reader,
        "province_reader": province_reader,
        "admin": admin,
        "surveyor_a": surveyor_a,
        "village_head_a": village_head_a,
    }


@pytest.fixture
def village_a(officer_a, commune_a) -> AdminUnit:
    return village_create(actor=officer_a, commune=commune_a, name="Thôn Đông", kind="thon")


@pytest.fixture
def village_a2(officer_a, commune_a) -> AdminUnit:
    """A second village of commune A, assigned to neither surveyor_a nor village_head_a."""
    return village_create(actor=officer_a, commune=commune_a, name="Thôn Nam", kind="thon")


@pytest.fixture
def surveyor_a(commune_a, village_a) -> User:
    user = _make_user("rsv-13504", User.Role.SURVEYOR, commune_a)
    user.villages.set([village_a])
    return user


@pytest.fixture
def village_head_a(commune_a, village_a) -> User:
    user = _make_user("tt-13504-1", User.Role.VILLAGE_HEAD, commune_a)
    user.villages.set([village_a])
    return user


@pytest.fixture
def village_b(officer_b, commune_b) -> AdminUnit:
    return village_create(actor=officer_b, commune=commune_b, name="Thôn Tây", kind="thon")


HEAD = {
    "full_name": "Nguyễn Văn An",
    "birth_year": 1970,
    "sex": "male",
    "ethnicity": "01",
    "citizen_id": "035070000123",
}


@pytest.fixture
def household_a(officer_a, village_a):
    """A household of commune A, in village A, headed by Nguyễn Văn An (CCCD 035070000123)."""
    return household_register(actor=officer_a, village=village_a, address="Xóm 1", head=HEAD)


@pytest.fixture
def round_2025(province_reader):
    """The 2025 periodic round of Hà Nam (standard vn-2022-2025)."""
    return round_open(
        actor=province_reader, province=province_reader.unit, year=2025, kind="periodic"
    )


@pytest.fixture
def province_b(legacy_tree) -> AdminUnit:
    """Nam Định (36) beside Hà Nam in the legacy edition: one district, two communes."""
    units_load_legacy(PROVINCE_B_DATA)
    return _unit(legacy_tree, "36")


@pytest.fixture
def commune_province_b(province_b, legacy_tree) -> AdminUnit:
    return _unit(legacy_tree, "13747")


@pytest.fixture
def province_reader_b(province_b) -> User:
    return _make_user("tinh-36", User.Role.PROVINCE_STAFF, province_b)


@pytest.fixture
def officer_province_b(commune_province_b) -> User:
    return _make_user("xa-13747", User.Role.COMMUNE_OFFICER, commune_province_b)


@pytest.fixture
def round_2025_b(province_reader_b):
    """The 2025 periodic round of Nam Định, opened by its own provincial staff."""
    return round_open(
        actor=province_reader_b, province=province_reader_b.unit, year=2025, kind="periodic"
    )


@pytest.fixture
def client_for():
    """client_for(user) gives a test client logged in as that user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def world(admin, officer_a, commune_a, commune_b, village_a, village_b, legacy_tree):
    """Two rounds of Hà Nam (2024, 2025) and households in three communes of two districts."""
    province = unit_resolve("35", edition=legacy_tree)
    rounds = {
        year: ReviewRound.objects.create(
            province=province,
            year=year,
            kind="periodic",
            standard_code="vn-2022-2025",
            starts_on=date(year, 9, 1),
            ends_on=date(year, 12, 14),
            opened_by=admin,
        )
        for year in (2023, 2024, 2025)
    }
    phu_ly = unit_resolve("13285", edition=legacy_tree)
    village_c = village_create(actor=admin, commune=phu_ly, name="Tổ 1", kind="to_dan_pho")
    for commune, total in ((commune_a, 1000), (commune_b, 800), (phu_ly, 2000)):
        CommuneTotal.objects.create(
            review_round=rounds[2025],
            commune=commune,
            total_households=total,
            source="Công an xã",
            recorded_by=admin,
        )
    return {"rounds": rounds, "villages": [village_a, village_b, village_c], "admin": admin}
