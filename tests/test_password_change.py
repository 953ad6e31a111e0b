"""A forced password change: the one-time password the admin read out cannot be kept."""

import pytest
from django.urls import reverse

from accounts.models import User


@pytest.fixture
def reset_officer(client_for, admin, officer_a):
    """Officer A after an admin reset: logged in with the one-time password, must change it."""
    url = reverse("accounts:user_password_reset", kwargs={"public_id": officer_a.public_id})
    one_time = client_for(admin).post(url).context["password"]
    officer_a.refresh_from_db()
    assert officer_a.must_change_password
    client = client_for(officer_a)
    return client, officer_a, one_time


def change(client, old: str, new: str):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def assert_refused(response, user: User, one_time: str, message: str) -> None:
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body, body[body.find("invalid-feedback") - 200 :][:1500]
    user.refresh_from_db()
    assert user.must_change_password
    assert user.check_password(one_time)


def test_the_one_time_password_cannot_be_chosen_again(reset_officer):
    client, user, one_time = reset_officer
    response = change(client, one_time, one_time)
    assert_refused(response, user, one_time, "Mật khẩu mới phải khác mật khẩu đang dùng")
    # Still held at the password page.
    assert client.get(reverse("home"))["Location"] == reverse("accounts:password_change")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("xa-13504-2025", "Mật khẩu quá giống với Tên đăng nhập"),
        # The name without diacritics, as typed in a password ("Nguyễn Thị Lan" is the full name).
        ("nguyenthilan2025", "Mật khẩu quá giống với"),
        ("password123", "Mật khẩu này quá phổ biến"),
        ("Ab-3xq", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự"),
        ("4830291756", "Mật khẩu này hoàn toàn là số"),
    ],
)
def test_weak_new_passwords_are_refused_in_vietnamese(reset_officer, new, message):
    client, user, one_time = reset_officer
    User.objects.filter(pk=user.pk).update(first_name="Nguyễn Thị Lan")
    response = change(client, one_time, new)
    assert_refused(response, user, one_time, message)
    assert "This password" not in response.content.decode()
    assert "Null characters" not in response.content.decode()


def test_a_nul_byte_in_the_new_password_is_a_vietnamese_form_error(reset_officer):
    client, user, one_time = reset_officer
    response = change(client, one_time, "Thôn-Đông\x00-2026")
    assert_refused(response, user, one_time, "ký tự rỗng NUL")


def test_a_good_new_password_is_taken_and_frees_the_user(reset_officer):
    client, user, one_time = reset_officer
    response = change(client, one_time, "Thôn-Đông-2026-mới")
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password("Thôn-Đông-2026-mới")
    page = client.get(reverse("home"), follow=True)
    assert page.status_code == 200
    assert reverse("accounts:password_change") not in [url for url, _ in page.redirect_chain]
