"""chosen sessions are not deleted: workshop seats and agenda choices no longer cascade

Revision ID: d8chosen0001
Revises: c2sensitive01
Create Date: 2026-11-27 21:10:00

Written by hand. The database now states the rule the agenda service used to check by itself:
a session that a workshop seat or an agenda choice names cannot be deleted (NO ACTION, checked
at the end of the statement, so deleting a whole edition still removes both). Batch mode
rebuilds the tables on SQLite.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8chosen0001'
down_revision = 'c2sensitive01'
branch_labels = None
depends_on = None

TABLES = ('workshop_seat', 'agenda_choice')


def set_session_ondelete(ondelete):
    for table in TABLES:
        name = f'fk_{table}_session_id_session'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_='foreignkey')
            batch_op.create_foreign_key(name, 'session', ['session_id'], ['id'],
                                        ondelete=ondelete)


def upgrade():
    set_session_ondelete('NO ACTION')


def downgrade():
    set_session_ondelete('CASCADE')
