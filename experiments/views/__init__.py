"""Server-rendered pages. One module per page; URLs in experiments/urls.py."""
