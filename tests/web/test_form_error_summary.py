"""A form sent back with mistakes says which fields to fix (read out: role=alert), and each field
points at its own message (aria-invalid, aria-describedby)."""

from __future__ import annotations

import re

from tests.web.helpers import text_of


def test_an_empty_login_names_the_fields_to_fix_and_ties_each_message_to_its_field(web):
    response = web.post("/login", {"email": "", "password": ""})
    html, page = response.get_data(as_text=True), text_of(response)
    assert response.status_code == 400
    assert '<div class="form-errors" role="alert">' in html
    assert "Please check 2 fields: Email, Password." in page
    email = re.search(r'<input[^>]*id="login-email"[^>]*>', html)
    assert email and 'aria-invalid="true"' in email.group(0)
    assert 'aria-describedby="login-email-error"' in email.group(0)
    assert '<p class="error" id="login-email-error">' in html
