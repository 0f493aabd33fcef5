"""The demo's people: who they are and their password. Apart from experiments.demo_data so the
demo command can print them without loading the statistics engine the demo data is built with
(seconds of a warm start)."""

from experiments import roles

DEMO_PASSWORD = "pagar-demo"

# username, full name, roles, superuser
DEMO_USERS = [
    ("priya", "Priya Proposer", [roles.PROPOSER], False),
    ("omar", "Omar Ops", [roles.PROPOSER], False),
    ("alex", "Alex Approver", [roles.APPROVER], False),
    ("sam", "Sam Signal-Owner", [roles.SIGNAL_OWNER], False),
    ("kim", "Kim Standards-Keeper", [roles.STANDARDS_KEEPER], False),
    ("bo", "Bo Board-Member", [roles.BOARD], False),
    ("admin", "Ada Admin", [], True),
]
