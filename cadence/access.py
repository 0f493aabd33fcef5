"""Who may see the cadence's own pages (the per-meeting rules live in ideas/ and reviews/ access)."""


def may_see_operations(user) -> bool:
    """The monitoring sweep's operations page is for staff: it names every running experiment."""
    return user.is_authenticated and user.is_staff
