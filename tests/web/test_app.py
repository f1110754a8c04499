"""App-wide behaviour: health check, security headers, CLI."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import ServiceType, Studio


def test_healthz_answers_200_when_the_database_answers(web):
    response = web.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    from wsgi import create_app

    broken = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/nope.db",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_widget_pages_may_be_framed_and_send_no_x_frame_options(web):
    response = web.get("/book")
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_pages_send_a_strict_content_security_policy(web):
    csp = web.get("/book").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp


def test_seed_demo_loads_the_studio_once(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "Demo studio loaded" in first.output
    types = db_session.scalar(select(func.count(ServiceType.id)))
    second = runner.invoke(args=["seed-demo"])
    assert "nothing loaded" in second.output
    assert db_session.scalar(select(func.count(ServiceType.id))) == types
    assert db_session.scalar(select(func.count(Studio.id))) == 1


def test_prices_show_in_us_dollars_before_a_studio_is_set_up(web, make):
    make.service_type(online_name="Mini session", display_price=4950)
    assert "$49.50" in web.get("/book").get_data(as_text=True)


def test_prices_follow_the_studios_currency_and_locale(web, make):
    make.studio(currency="GBP", locale="en_GB")
    make.service_type(online_name="Mini session", display_price=4950)
    assert "£49.50" in web.get("/book").get_data(as_text=True)
