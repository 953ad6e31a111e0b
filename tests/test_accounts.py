"""Login, forced password change, and the admin's account pages."""

from django.urls import reverse

from accounts.models import AuditEvent, User
from tests.conftest import PASSWORD

WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng"


def test_officer_logs_in_and_sees_the_name_of_the_commune(client, officer_a):
    response = client.post(
        reverse("accounts:login"), {"username": "xa-13504", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "Xã Bình Nghĩa" in response.content.decode()


def test_wrong_password_and_unknown_user_get_the_same_vietnamese_message(client, officer_a):
    login = reverse("accounts:login")
    wrong = client.post(login, {"username": "xa-13504", "password": "sai"})
    unknown = client.post(login, {"username": "khong-co-ai", "password": "sai"})
    assert wrong.status_code == unknown.status_code == 200
    assert WRONG_LOGIN in wrong.content.decode()
    assert WRONG_LOGIN in unknown.content.decode()
    assert "_auth_user_id" not in client.session


def test_disabled_account_cannot_log_in_and_gets_the_same_message(client, officer_a):
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    response = client.post(
        reverse("accounts:login"), {"username": "xa-13504", "password": PASSWORD}
    )
    assert WRONG_LOGIN in response.content.decode()


def test_user_with_one_time_password_must_change_it_first(client_for, officer_a, commune_a):
    officer_a.must_change_password = True
    officer_a.save(update_fields=["must_change_password"])
    client = client_for(officer_a)
    unit_page = reverse("units:unit_detail", kwargs={"public_id": commune_a.public_id})
    assert client.get(unit_page)["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Thôn-Đông-2026-mới",
            "new_password2": "Thôn-Đông-2026-mới",
        },
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert not officer_a.must_change_password
    assert client.get(unit_page).status_code == 200


def test_admin_creates_an_officer_account_with_a_one_time_password(client_for, admin, commune_a):
    response = client_for(admin).post(
        reverse("accounts:user_add"),
        {
            "username": "can-bo-moi",
            "role": "commune_officer",
            "edition": commune_a.edition.pk,
            "unit_code": "13504",
        },
    )
    assert response.status_code == 200
    user = User.objects.get(username="can-bo-moi")
    assert user.unit == commune_a
    assert user.must_change_password
    password = response.context["password"]
    assert user.check_password(password)
    assert AuditEvent.objects.filter(action="user_create", target_id=str(user.pk)).exists()


def test_account_for_an_unknown_unit_code_is_refused_and_nothing_is_created(
    client_for, admin, legacy_tree
):
    response = client_for(admin).post(
        reverse("accounts:user_add"),
        {
            "username": "can-bo-moi",
            "role": "commune_officer",
            "edition": legacy_tree.pk,
            "unit_code": "99999",
        },
    )
    assert response.status_code == 200
    assert "Không tìm thấy đơn vị có mã" in response.content.decode()
    assert not User.objects.filter(username="can-bo-moi").exists()


def test_a_commune_officer_must_serve_a_commune(client_for, admin, legacy_tree):
    response = client_for(admin).post(
        reverse("accounts:user_add"),
        {
            "username": "can-bo-moi",
            "role": "commune_officer",
            "edition": legacy_tree.pk,
            "unit_code": "352",
        },
    )
    assert "phải gắn với đơn vị cấp xã" in response.content.decode()
    assert not User.objects.filter(username="can-bo-moi").exists()


def test_admin_moves_and_disables_an_account_and_the_audit_trail_keeps_both(
    client_for, admin, officer_a, commune_b
):
    url = reverse("accounts:user_edit", kwargs={"public_id": officer_a.public_id})
    response = client_for(admin).post(
        url,
        {
            "role": "commune_officer",
            "edition": commune_b.edition.pk,
            "unit_code": "13510",
            "is_active": "",
            "reason": "Chuyển công tác",
            "version": officer_a.version,
        },
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.unit == commune_b
    assert not officer_a.is_active
    event = AuditEvent.objects.get(action="user_update", target_id=str(officer_a.pk))
    assert event.changes["unit"] == ["13504", "13510"]
    assert event.changes["is_active"] == [True, False]
    assert event.reason == "Chuyển công tác"


def test_a_stale_account_edit_is_refused_instead_of_overwriting(
    client_for, admin, officer_a, commune_b
):
    url = reverse("accounts:user_edit", kwargs={"public_id": officer_a.public_id})
    stale_version = officer_a.version
    User.objects.filter(pk=officer_a.pk).update(version=stale_version + 1, first_name="Người khác")
    response = client_for(admin).post(
        url,
        {
            "role": "commune_officer",
            "edition": commune_b.edition.pk,
            "unit_code": "13510",
            "is_active": "on",
            "version": stale_version,
        },
    )
    assert response.status_code == 200
    assert "vừa được người khác sửa" in response.content.decode()
    officer_a.refresh_from_db()
    assert officer_a.unit.code == "13504"


def test_admin_resets_a_password_and_the_user_must_change_it(client_for, admin, officer_a):
    url = reverse("accounts:user_password_reset", kwargs={"public_id": officer_a.public_id})
    response = client_for(admin).post(url)
    assert response.status_code == 200
    officer_a.refresh_from_db()
    assert officer_a.must_change_password
    assert officer_a.check_password(response.context["password"])
    assert not officer_a.check_password(PASSWORD)


def test_language_switch_shows_english(client, officer_a):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in body
    assert "Log in" in body
    assert "Đăng nhập" not in body


def test_an_english_browser_still_gets_vietnamese_until_the_user_switches(client):
    body = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content
    assert '<html lang="vi">' in body.decode()


def test_repeated_wrong_passwords_lock_that_username_for_a_while(client, officer_a, settings):
    settings.AXES_FAILURE_LIMIT = 3
    login = reverse("accounts:login")
    for _ in range(3):
        client.post(login, {"username": "xa-13504", "password": "sai"})
    response = client.post(login, {"username": "xa-13504", "password": PASSWORD})
    assert response.status_code == 429
    assert "Tạm khoá đăng nhập" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another username from the same address is not locked.
    other = client.post(login, {"username": "khong-co-ai", "password": "sai"})
    assert other.status_code == 200
