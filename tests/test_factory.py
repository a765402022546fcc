from meetings import create_app


def test_config():
    assert not create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).testing
    assert create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).testing


def test_html_declares_language_and_direction(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


def test_mail_can_be_left_to_the_sender_command(monkeypatch):
    monkeypatch.setenv("MAIL_SEND_AFTER_COMMIT", "0")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["MAIL_SEND_AFTER_COMMIT"] is False
