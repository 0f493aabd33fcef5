"""The full running board: every running experiment the person can see (and those a check
stopped lately), problems first, a page at a time. The dashboard shows its first rows."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from experiments import access
from experiments.live.board import board_rows, on_the_board

PAGE_SIZE = 50


@login_required
def running_board_page(request):
    now = timezone.now()
    ranked = on_the_board(access.visible_experiments(request.user), now=now)
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "experiments/live/running_board.html",
        {"page": page, "running_board": board_rows(page.object_list, now=now)},
    )
