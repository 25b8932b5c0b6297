"""The login page works in a real browser, is accessible, and breaks no CSP rule."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_login_page_is_accessible_and_clean(visitor):
    response = visitor.go("/login/")
    assert response.status == 200
    assert visitor.page.title() == "Log in – Wraparound"
    visitor.assert_accessible()
    # A CSP violation or a missing vendored file shows up as a console error.
    assert visitor.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_an_error_summary(visitor, django_user_model):
    django_user_model.objects.create_user("nurse.jo", password="correct horse battery")
    visitor.log_in("nurse.jo", "wrong password")
    summary = visitor.page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Enter a correct username and password" in summary.inner_text()
    visitor.assert_accessible()


@pytest.mark.django_db(transaction=True)
def test_skip_link_is_the_first_thing_a_keyboard_reaches(visitor):
    visitor.go("/login/")
    visitor.page.keyboard.press("Tab")
    focused = visitor.page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
