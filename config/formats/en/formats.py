"""English: the one date, date-and-time and short date format of every page (|date:"DATE_FORMAT")."""

DATE_FORMAT = "j M Y"  # 4 Dec 2026
DATETIME_FORMAT = "j M Y H:i"  # 4 Dec 2026 09:30
SHORT_DATE_FORMAT = "j M"  # 4 Dec: in tables and timelines where the year is plain from the context
