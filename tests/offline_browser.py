"""What the offline journeys (tests/e2e/ on the test server, tests/production/ on the
production one) do to a browser: wait for the member app's worker, cut the connection — the
worker's own requests too — and lose the answer to a contact the portal stored."""

SYNC = "**/activities/contacts/sync/"
KEPT_PAGES = """() => navigator.serviceWorker.ready
  .then(() => caches.open("liaison-pages")).then((c) => c.keys()).then((kept) => kept.length)"""


def wait_until(page, done, *, tries: int = 150) -> None:
    for _ in range(tries):
        if done():
            return
        page.wait_for_timeout(100)
    raise AssertionError("waited 15 s in vain")


def offline_ready(page) -> None:
    """The worker runs and keeps the three member pages (it fetches them once a page loads)."""
    wait_until(page, lambda: page.evaluate(KEPT_PAGES) >= 3)


def set_offline(context, offline: bool) -> None:
    """The browser's offline mode; requests the worker makes are cut too (Playwright's
    offline mode leaves a service worker's own fetches alone)."""
    context.set_offline(offline)
    if offline:
        context.route("**/*", _worker_offline)
    else:
        context.unroute("**/*", _worker_offline)


def _worker_offline(route):
    if route.request.service_worker:
        route.abort("internetdisconnected")
    else:
        route.fallback()


def lose_first_answer(context) -> list[int]:
    """The first contact sent reaches the portal, which answers; the answer is lost on the way
    back. The list the answer's status lands in is returned."""
    cut: list[int] = []

    def store_then_cut(route):
        if route.request.method == "POST" and not cut:
            cut.append(route.fetch().status)
            route.abort("internetdisconnected")
        else:
            route.fallback()

    context.route(SYNC, store_then_cut)
    return cut
