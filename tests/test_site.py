"""The course website (`make site`): it builds offline without a warning, and headless Chromium renders it.

The site is built once per session by the function `make site` runs (scripts/build_site.py), served on a
loopback port by a small HTTP server started here, and opened in Debian's `chromium`: the landing page and
notebook 05's page are checked after their scripts ran (title, navigation, code, outputs, the loss plot,
the download link), search finds a notebook, and nothing a page asks for is missing or remote. Screenshots
land in build/site-screenshots/. Without Chromium the browser tests skip; `.ci/run` installs it.
"""

from __future__ import annotations

import functools
import html
import importlib.util
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "site-screenshots"
NB05 = "notebooks/05_fine_tuning_with_trainer.html"
LOSS_SECTION = "the-loss-curve-and-the-full-recipe"
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); .ci/run installs it"
)

# Chromium logs every console message at the same level, so any message fails the test except these,
# which the theme's scripts log with console.log on every page (or on the search page).
BENIGN_CONSOLE = re.compile(
    r"^\[PST\]:? (Changed to \w+ mode using the \w+ theme\.|Scrolled sidebar using .*|Set focus on search field\.)$"
)
CONSOLE_LINE = re.compile(r":CONSOLE[:(]\d*\)?\] \"(?P<message>.*)\", source: (?P<source>.*)$")
REMOTE_RESOURCE = re.compile(
    r"<(?:script|img|iframe|source)\b[^>]*\bsrc=\"(?:https?:)?//|<link\b[^>]*\bhref=\"(?:https?:)?//", re.IGNORECASE
)


def _build_site_module():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_site = _build_site_module()


def public_modules() -> set[str]:
    """Every importable hfnotes module whose dotted name has no part starting with "_"."""
    src = ROOT / "src"
    names = set()
    for path in (src / "hfnotes").rglob("*.py"):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        packages = [src.joinpath(*parts[:i]) for i in range(1, len(parts))]
        # metric scripts sit in plain folders: evaluate loads them by path, nothing imports them
        if any(part.startswith("_") for part in parts) or not all((p / "__init__.py").exists() for p in packages):
            continue
        names.add(".".join(parts))
    return names


def test_the_api_page_documents_every_public_module():
    documented = set(re.findall(r"^\.\. automodule:: (\S+)$", (ROOT / "docs" / "api.rst").read_text(), re.MULTILINE))
    assert documented == public_modules(), "docs/api.rst: one automodule section per public hfnotes module"


def test_the_course_map_lists_every_notebook_with_its_time():
    table = build_site.course_map(build_site.course_notebooks())
    rows = [line for line in table.splitlines() if line.startswith("| [")]
    assert [re.search(r"\]\(notebooks/(.+?)\)", row).group(1) for row in rows] == [
        p.name for p in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    ]
    assert all(re.search(r"\| about [^|]+ \|", row) for row in rows), table


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site, built once by the same function as `make site` (Sphinx with -W: any warning fails)."""
    pytest.importorskip("myst_nb", reason="the site needs the [site] extra: make install")
    out = tmp_path_factory.mktemp("site") / "site"
    build_site.build(out)
    return out


def test_every_notebook_has_a_page_and_its_download(site):
    for notebook in build_site.course_notebooks():
        page = (site / "notebooks" / notebook.with_suffix(".html").name).read_text(encoding="utf-8")
        assert f'href="../_sources/notebooks/{notebook.name}"' in page, f"{notebook.name}: no download link"
        assert (site / "_sources" / "notebooks" / notebook.name).read_bytes() == notebook.read_bytes()
    for page in ("index", "sources", "data-card", "api", "search", "genindex"):
        assert (site / f"{page}.html").is_file(), page


def test_no_page_loads_anything_from_another_host(site):
    pages = [p for p in site.rglob("*.html") if "_static" not in p.parts]
    remote = {p.relative_to(site).as_posix(): REMOTE_RESOURCE.findall(p.read_text(encoding="utf-8")) for p in pages}
    assert not {page: found for page, found in remote.items() if found}
    for css in site.glob("_static/**/*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css


@dataclass
class Server:
    """A loopback HTTP server over the built site that records every request and its status."""

    requests: list[tuple[str, int]] = field(default_factory=list)

    def missing(self) -> list[str]:
        # a browser asks for /favicon.ico on its own; the site declares none
        return [path for path, status in self.requests if status >= 400 and path != "/favicon.ico"]


class _Handler(SimpleHTTPRequestHandler):
    server_state: Server

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/__frame__.html":  # a page at a section, framed: headless screenshots ignore "#anchor"
            target = html.escape(parse_qs(url.query)["src"][0], quote=True)
            body = f'<!doctype html><body style="margin:0"><iframe src="{target}" style="border:0;width:100vw;height:100vh"></iframe>'
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        super().do_GET()

    def log_request(self, code="-", size="-"):
        self.server_state.requests.append((urlsplit(self.path).path, int(code)))

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def server(site) -> Iterator[tuple[str, Server]]:
    state = Server()
    handler = type("Handler", (_Handler,), {"server_state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Visit:
    dom: str
    console: list[str]


def chromium(url: str, tmp_path: Path, *args: str) -> Visit:
    """Open ``url`` in headless Chromium, let its scripts run for 5 s of virtual time, return DOM and console."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # the tests may run as root (CI containers)
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        # nothing but loopback resolves: a page that needed another host would miss it here
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
        *args,
        url,
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    console = [
        f"{m['message']} ({m['source']})"
        for m in map(CONSOLE_LINE.search, run.stderr.splitlines())
        if m and not BENIGN_CONSOLE.match(m["message"])
    ]
    return Visit(run.stdout, console)


def screenshot(url: str, name: str, tmp_path: Path) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    path.unlink(missing_ok=True)
    visit = chromium(url, tmp_path, "--window-size=1280,2000", f"--screenshot={path}")
    assert not visit.console, visit.console
    assert path.stat().st_size > 20_000, f"{name} looks empty"
    return path


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _title(dom: str) -> str:
    return _text(re.search(r"<title>(.*?)</title>", dom, re.DOTALL).group(1))


def _sidebar(dom: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the site navigation on the left; the current page's href is "#"."""
    nav = re.search(r'<nav class="[^"]*\bbd-docs-nav\b.*?</nav>', dom, re.DOTALL).group(0)
    links = re.findall(r'<a class="[^"]*reference internal[^"]*" href="([^"]+)"[^>]*>(.*?)</a>', nav, re.DOTALL)
    return [(href, _text(text)) for href, text in links]


@needs_chromium
def test_landing_page_in_chromium(server, tmp_path):
    base, state = server
    visit = chromium(f"{base}/index.html", tmp_path, "--dump-dom")
    assert not visit.console, visit.console
    dom = visit.dom
    assert 'data-theme="light"' in dom, "the theme's script did not run"
    assert _title(dom).startswith("hfnotes: Transformers and Datasets, offline on a CPU")
    assert "make course # set up .venv" in _text(dom) and "make test # lint" in _text(dom), "the README's commands"
    links = [href for href, _ in _sidebar(dom)]
    assert [link for link in links if link.startswith("notebooks/")] == [
        f"notebooks/{p.with_suffix('.html').name}" for p in build_site.course_notebooks()
    ], "the sidebar lists the notebooks in course order"
    assert {"sources.html", "data-card.html", "api.html"} <= set(links)
    course_map = _text(re.search(r'<section id="course-map">.*?</section>', dom, re.DOTALL).group(0))
    assert "05 · Fine-tuning with Trainer about 2 minutes" in course_map, course_map[:500]
    screenshot(f"{base}/index.html", "landing.png", tmp_path)
    assert not state.missing(), state.missing()


@needs_chromium
def test_notebook_05_page_in_chromium(server, tmp_path):
    base, state = server
    visit = chromium(f"{base}/{NB05}", tmp_path, "--dump-dom")
    assert not visit.console, visit.console
    dom = visit.dom
    assert 'data-theme="light"' in dom, "the theme's script did not run"
    assert _title(dom).startswith("05 · Fine-tuning with Trainer")
    assert re.search(r'<a class="left-prev"\s+href="04b_datasets_at_scale.html"', dom), "previous: 04b"
    assert re.search(r'<a class="right-next"\s+href="06_training_loop_and_accelerate.html"', dom), "next: 06"
    sidebar = _sidebar(dom)
    assert ("#", "05 · Fine-tuning with Trainer") in sidebar and len(sidebar) >= 15, sidebar
    assert 'id="pst-page-toc-nav"' in dom and f'href="#{LOSS_SECTION}"' in dom, "the page's table of contents"
    code = re.findall(r'<div class="cell_input.*?</pre>', dom, re.DOTALL)
    assert any("DataCollatorWithPadding" in _text(c) for c in code), "a code cell"
    outputs = re.findall(r'<div class="cell_output.*?</div>\s*</div>', dom, re.DOTALL)
    assert any("num_rows: 3524" in _text(o) for o in outputs), "a printed output"
    loss = dom[dom.index(f'<section id="{LOSS_SECTION}">') :]
    image = re.search(r'<img [^>]*src="(\.\./_images/[0-9a-f]+\.png)"', loss).group(1)
    assert (f"/{image[3:]}", 200) in state.requests, "the loss plot was loaded"
    assert 'href="../_sources/notebooks/05_fine_tuning_with_trainer.ipynb"' in dom, "the download button"
    screenshot(f"{base}/{NB05}", "05-top.png", tmp_path)
    screenshot(f"{base}/__frame__.html?src={quote(f'/{NB05}#{LOSS_SECTION}', safe='')}", "05.png", tmp_path)
    assert not state.missing(), state.missing()


@needs_chromium
def test_search_finds_a_notebook_in_chromium(server, tmp_path):
    base, state = server
    visit = chromium(f"{base}/search.html?q=DataCollatorWithPadding", tmp_path, "--dump-dom")
    assert not visit.console, visit.console
    results = re.search(r'<ul [^>]*class="search"[^>]*>(.*?)</ul>', visit.dom, re.DOTALL)
    assert results, "no search results rendered"
    first = re.search(r'<a href="([^"]+)"', results.group(1)).group(1)
    assert first == NB05, f"the notebook that teaches DataCollatorWithPadding comes first, not {first}"
    assert not state.missing(), state.missing()
