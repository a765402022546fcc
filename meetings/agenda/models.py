"""The agenda's own tables beyond the shared models: the slugs a track had before."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db


class TrackSlug(db.Model):
    """A slug a track had before: its feed's old address answers with a permanent redirect."""

    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)
    track_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("track.id", ondelete="CASCADE"), index=True)
