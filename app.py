"""Entry point: `flask --app app …` and `gunicorn app:app`."""

from meetings import create_app

app = create_app()
