"""The meetings application factory."""

import os

from flask import Flask

from meetings.config import (
    default_config,
    ensure_development_data_key,
    ensure_secret_key,
    environment_config,
    with_connect_timeout,
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, commands, error pages."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_mapping(environment_config())
    if test_config:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = with_connect_timeout(
        app.config["SQLALCHEMY_DATABASE_URI"])
    os.makedirs(app.instance_path, exist_ok=True)
    ensure_secret_key(app.config, app.instance_path)
    ensure_development_data_key(app.config, app.instance_path)

    hops = app.config["PROXY_FIX"]
    if hops:
        # Behind nginx: trust that many hops of X-Forwarded-For/-Proto/-Host/-Port, no more.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)

    register_log_redaction(app)
    register_request_guards(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_pages(app)
    register_security_headers(app)
    register_unit_of_work(app)
    register_mail_printing(app)
    register_commands(app)
    return app


def register_log_redaction(app: Flask) -> None:
    from meetings.web import log_redaction

    log_redaction.init_app(app)


def register_request_guards(app: Flask) -> None:
    from meetings.web import request_guards

    request_guards.init_app(app)


def register_extensions(app: Flask) -> None:
    from meetings import i18n
    from meetings.accounts.service import load_user
    from meetings.database import LOCK_TIMEOUT_OPTION, enable_sqlite_foreign_keys
    from meetings.extensions import babel, csrf, db, limiter, login_manager, migrate

    engine_options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    engine_options["execution_options"] = {
        **engine_options.get("execution_options", {}),
        LOCK_TIMEOUT_OPTION: app.config["LOCK_TIMEOUT_MS"]}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    db.init_app(app)
    with app.app_context():
        enable_sqlite_foreign_keys(db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = i18n.lazy_gettext("Please log in to open that page.")
    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from meetings import (
        accounts,
        agenda,
        attendance,
        audit,
        badges,
        certificates,
        checkin,
        delegations,
        editions,
        feeds,
        health,
        mail,
        registration,
        venues,
        visas,
    )

    # Editions last: its public pages use /<slug>/ and must not shadow fixed prefixes.
    for module in (health, accounts, audit, mail, venues, agenda, feeds, registration, attendance,
                   badges, checkin, certificates, visas, delegations, editions):
        app.register_blueprint(module.bp)


def register_template_helpers(app: Flask) -> None:
    from meetings.web import templating

    templating.init_app(app)


def register_error_pages(app: Flask) -> None:
    from meetings.web import error_pages

    error_pages.init_app(app)


def register_security_headers(app: Flask) -> None:
    from meetings.web import security

    security.init_app(app)


def register_unit_of_work(app: Flask) -> None:
    from meetings.web import unit_of_work

    unit_of_work.init_app(app)


def register_mail_printing(app: Flask) -> None:
    from meetings.mail import printing

    printing.init_app(app)


def register_commands(app: Flask) -> None:
    from meetings.cli import meetings_cli

    app.cli.add_command(meetings_cli)
