"""The organizer's agenda grid: rooms (columns) by 30-minute local time slots (rows)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from meetings.agenda.reads import Shown, shown
from meetings.agenda.visibility import ORGANIZER
from meetings.models import Edition, Room, Session


@dataclass
class GridCell:
    """A cell of the organizer's grid: sessions starting in it, or an empty slot."""

    rowspan: int = 1
    sessions: list[Shown] = field(default_factory=list)


@dataclass
class Grid:
    rooms: list[Room | None]
    slots: list[datetime]
    cells: dict[tuple[int, int], GridCell]
    covered: set[tuple[int, int]]


def grid_for_day(edition: Edition, rooms: list[Room], sessions: list[Session], day: date,
                 slot_minutes: int = 30) -> Grid:
    """Rooms (then 'unassigned') by 30-minute local slots, 08:00–19:00 or wider if needed."""
    zone = ZoneInfo(edition.timezone)
    entries = [shown(session, zone, viewer=ORGANIZER) for session in sessions]
    midnight = datetime.combine(day, datetime.min.time())
    first = min([midnight.replace(hour=8)] + [start for _, start, _ in entries])
    last = max([midnight.replace(hour=19)] + [end for _, _, end in entries])
    first = midnight + timedelta(minutes=minutes_since(midnight, first) // slot_minutes
                                 * slot_minutes)
    count = -(-minutes_since(first, last) // slot_minutes)
    slots = [first + timedelta(minutes=i * slot_minutes) for i in range(count)]
    columns: list[Room | None] = [*rooms, None]
    index = {room.id if room else None: i for i, room in enumerate(columns)}
    grid = Grid(columns, slots, {}, set())
    for item, start, end in entries:
        col = index.get(item.room_id, len(columns) - 1)
        row = minutes_since(first, start) // slot_minutes
        end_row = -(-minutes_since(first, end) // slot_minutes)
        put(grid, row, col, max(1, end_row - row), item)
    return grid


def minutes_since(origin: datetime, moment: datetime) -> int:
    return int((moment - origin).total_seconds()) // 60


def put(grid: Grid, row: int, col: int, rows: int, item: Shown) -> None:
    """Add a session to the cell holding `row`, merging cells when sessions overlap."""
    for (top, column), cell in grid.cells.items():
        if column == col and top <= row < top + cell.rowspan:
            cell.sessions.append(item)
            grow(grid, top, col, max(cell.rowspan, row - top + rows))
            return
    grid.cells[(row, col)] = GridCell(rows, [item])
    grow(grid, row, col, rows)


def grow(grid: Grid, top: int, col: int, rowspan: int) -> None:
    rowspan = min(rowspan, len(grid.slots) - top)
    grid.cells[(top, col)].rowspan = rowspan
    grid.covered.update((top + i, col) for i in range(1, rowspan))
