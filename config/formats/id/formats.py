"""Bahasa Indonesia: the one date, date-and-time and short date format of every page. Month names come
from Django's Indonesian catalogue (Des, Mei, Agu, Okt); separators and the rest from Django's id formats."""

DATE_FORMAT = "j M Y"  # 4 Des 2026
DATETIME_FORMAT = "j M Y H.i"  # 4 Des 2026 09.30 (Indonesian writes times with a dot)
SHORT_DATE_FORMAT = "j M"  # 4 Des
