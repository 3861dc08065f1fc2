"""Reading the post-mortems on every CPU (pool.py) gives exactly what reading them one by one
gives: the same documents, the same findings, byte for byte the same `check` output and site."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from pathlib import Path

from mkdocs_postmortems.checks import check_report
from mkdocs_postmortems.load import discover, load_all
from mkdocs_postmortems.parallel import fork_map, fork_stream, paused_gc
from mkdocs_postmortems.pool import MIN_FILES, load_many, workers
from mkdocs_postmortems.sanitize import BlockStore, clean
from mkdocs_postmortems.settings import Settings, from_mkdocs_yml
from sitebuild import incident, write_site

BIN = Path(sys.executable).parent
COUNT = MIN_FILES + 16


def corpus(root: Path, jobs: int) -> Path:
    """COUNT post-mortems with something for every kind of rule: blame language, a broken link,
    a suppression, an overdue item, two files sharing an id, broken YAML and a schema error."""
    files: dict[str, str] = {}
    for n in range(COUNT):
        body = ""
        if n % 7 == 0:
            body = "The operator should have known.\n\n"
        if n % 11 == 0:
            body += "See [the graph](graphs/missing.png).\n\n"
        if n % 13 == 0:
            body += "The vendor wrote human error. <!-- postmortems: allow blame-language: the vendor's words -->\n\n"
        if n % 17 == 0:  # sanitised by a worker when there are workers
            body += '<p onclick="steal()">Raw HTML</p>\n\n<script>alert(1)</script>\n\n'
        extra = f"services: [svc-{n % 5}]\ntags: [t{n % 3}]\n"
        if n % 9 == 0:
            extra += "action_items:\n  - action: Add a canary stage\n    owner: sre\n    due: 2026-01-10\n"
        files[f"2026/pm-{n:03d}.md"] = incident(
            f"Incident {n}", date=f"2026-{n % 12 + 1:02d}-{n % 27 + 1:02d}", extra=extra, body=body
        )
    files["2026/twin-a.md"] = incident("Twin A", extra="id: twin\n")
    files["2026/twin-b.md"] = incident("Twin B", extra="id: twin\n")
    files["2026/broken.md"] = "---\ntitle: [unclosed\n---\n\nBody.\n"
    files["2026/schema.md"] = "---\ntitle: No date\nseverity: SEV9\n---\n\nBody.\n"
    return write_site(root, files, options=f"      jobs: {jobs}\n")


def settings_of(config_file: Path) -> Settings:
    return from_mkdocs_yml(config_file)


def test_workers_only_where_a_pool_is_safe_and_pays(tmp_path: Path) -> None:
    settings = settings_of(corpus(tmp_path, 2))
    assert threading.active_count() == 1  # the precondition of the pool, as under `postmortems check`
    assert workers(settings, 1_000) == 2
    assert workers(settings, MIN_FILES - 1) == 1  # too few files to pay for the processes
    assert workers(settings.model_copy(update={"jobs": 1}), 1_000) == 1
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert workers(settings, 1_000) == 1  # forking beside another thread is not safe
    finally:
        stop.set()
        other.join()


def test_what_is_made_with_the_collector_paused_is_not_left_for_its_next_young_collection() -> None:
    """Left in the youngest generation, 10,000 loaded post-mortems were walked all at once by
    the first collection after the pause; they join the oldest instead, and stay collectable."""
    with paused_gc():
        made = [[index] for index in range(20_000)]
        assert not gc.isenabled()
    assert gc.isenabled()
    marked = {id(item) for item in made}
    assert not marked & {id(obj) for obj in gc.get_objects(generation=0)}
    assert marked <= {id(obj) for obj in gc.get_objects(generation=2)}
    assert gc.get_freeze_count() == 0
    cycle: list[object] = []
    with paused_gc():
        cycle.append(cycle)
    before = len(gc.get_objects())
    del cycle
    gc.collect()
    assert len(gc.get_objects()) < before
    gc.freeze()  # what someone else froze stays frozen
    frozen = gc.get_freeze_count()
    try:
        with paused_gc():
            made.append([0])
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_worker_that_dies_leaves_no_one_waiting() -> None:
    """A worker killed (for its memory, say) must not hang `check` or the build: the work is
    done again in the calling process, with the same result."""
    here = os.getpid()

    def work(index: int) -> int:
        if os.getpid() != here and index == 5:
            os._exit(9)  # as the kernel's OOM killer would end it: no exception, no result
        return index * index

    assert fork_map(work, 40, 2, 4) == [i * i for i in range(40)]
    assert fork_map(lambda i: i + 1, 40, 2, 4) == list(range(1, 41))  # and a pool starts again after


def test_a_stream_hands_out_what_one_process_computes_while_the_caller_works() -> None:
    """The pages are rendered ahead by a stream while MkDocs converts the ones before: each
    result is computed in a worker and handed out when asked for, in any order."""
    here = os.getpid()
    stream = fork_stream(lambda i: (i * i, os.getpid()), 40, 1, 4)
    assert stream is not None
    try:
        taken = [stream.take(i) for i in [*range(20), 39, *range(20, 39)]]  # one asked for early
        assert sorted(value for value, _ in taken) == [i * i for i in range(40)]
        assert {pid for _, pid in taken} - {here}  # computed by the worker...
        assert here not in {pid for _, pid in taken}  # ...every one of them
        assert stream.take(7) == (49, here)  # asked for again: computed here
    finally:
        stream.close()
    assert threading.active_count() == 1  # closed: no thread left behind


def pid_and_upper(text: str) -> tuple[int, str]:  # sent to a worker by name
    return os.getpid(), text.upper()


def test_work_sent_later_runs_in_a_worker_or_here_once_they_are_gone() -> None:
    """The build sends each page's HTML to the workers to be sanitised (Stream.later)."""
    here = os.getpid()
    stream = fork_stream(lambda i: i, 4, 1, 2)
    assert stream is not None
    try:
        sent = stream.later(pid_and_upper, "incident")
        assert [stream.take(i) for i in range(4)] == [0, 1, 2, 3]
        pid, text = sent.result()
        assert (pid != here, text) == (True, "INCIDENT")
        dirty = stream.later(clean, '<p onclick="x()">ok</p><script>alert(1)</script>')
    finally:
        stream.close()
    assert dirty.result() == "<p>ok</p>"  # done by the worker before it stopped, or here
    after = stream.later(pid_and_upper, "late")
    assert after.result() == (here, "LATE")  # no workers any more: here


def test_work_sent_later_that_no_worker_has_started_is_done_here(tmp_path: Path) -> None:
    """on_env asks for the last pages sanitised while the workers still have every chart of
    the term pages before them: a piece no worker has started is done here, not waited for."""
    here = os.getpid()
    go = tmp_path / "go"

    def work(index: int) -> int:
        if os.getpid() != here:  # the only worker holds on until told to go on
            for _ in range(3000):
                if go.exists():
                    break
                threading.Event().wait(0.01)
        return index

    stream = fork_stream(work, 2, 1, 1)
    assert stream is not None
    try:
        sent = [stream.later(pid_and_upper, f"page {n}") for n in range(5)]
        # The worker holds the first piece and at most two more are queued for it: the last
        # one sent cannot have been started.
        assert sent[-1].result() == (here, "PAGE 4")
        go.touch()
        assert [stream.take(i) for i in range(2)] == [0, 1]
        assert [text for _, text in (later.result() for later in sent[:-1])] == [f"PAGE {n}" for n in range(4)]
    finally:
        stream.close()


def test_a_pending_block_goes_in_once_the_page_is_written() -> None:
    """A chart the workers draw while MkDocs writes the pages before it: its placeholder sits
    inside another block, stays through `restore`, and is made once, when `finish` needs it."""
    blocks = BlockStore()
    made: list[str] = []

    def make() -> str:
        made.append("chart")
        return "<svg>drawn</svg>"

    pending = blocks.protect_pending("chart of svc-0", make)
    assert blocks.protect_pending("chart of svc-0", make) == pending  # named by what it draws
    outer = blocks.protect(f"<figure>{pending}</figure>")
    content = blocks.restore(f"<p>{outer}</p>")
    assert made == [] and content == f"<figure>{pending}</figure>"
    page = f"<html>{content}<footer>{pending}</footer></html>"
    assert blocks.finish(page) == "<html><figure><svg>drawn</svg></figure><footer><svg>drawn</svg></footer></html>"
    assert made == ["chart"]
    assert len(blocks) == 0  # every placeholder is back: nothing is kept for a next build
    forged = pending.replace(pending[4:28], "PMBLOCK" + "0" * 16 + "X")
    assert blocks.finish(forged) == forged  # another prefix is not ours: an author's comment stays
    # Inside a block that itself goes in once the page is written (an overridden header card,
    # related incidents): put in after it.
    late = blocks.protect_late(f"<aside>{blocks.protect_pending('late chart', lambda: '<svg>1</svg>')}</aside>")
    card = blocks.protect_indexed(f"<div>Card {blocks.protect_pending('card chart', lambda: '<svg>2</svg>')}</div>")
    content = blocks.restore(f"<p>{late}</p>\n<p>{card}</p>")
    assert "svg" not in content and "Card" in content  # the card's words stand in for it
    assert blocks.finish(content) == "<aside><svg>1</svg></aside>\n<div>Card <svg>2</svg></div>"
    assert len(blocks) == 0


def test_a_stream_whose_worker_dies_computes_the_rest_here() -> None:
    here = os.getpid()

    def work(index: int) -> int:
        if os.getpid() != here and index == 9:
            os._exit(9)  # as the OOM killer would end it
        return index + 100

    stream = fork_stream(work, 30, 1, 4)
    assert stream is not None
    try:
        assert [stream.take(i) for i in range(30)] == [i + 100 for i in range(30)]
    finally:
        stream.close()


def test_the_pool_loads_and_checks_as_one_process_does(tmp_path: Path) -> None:
    config_file = corpus(tmp_path, 2)
    settings = settings_of(config_file)
    paths = discover(settings)
    today = settings.resolve_today()

    def shown(path: Path) -> str:
        return path.relative_to(tmp_path).as_posix()

    pooled = load_many(paths, settings, shown, today, lean=True)
    single = load_many(paths, settings.model_copy(update={"jobs": 1}), shown, today, lean=True)
    assert (pooled.processes, single.processes) == (2, 1)
    assert pooled.documents == single.documents
    assert pooled.hits == single.hits
    # Against the plain loader and every rule run afterwards, as before the pool existed:
    whole = load_all(paths, settings, tmp_path)
    expected = check_report(whole, settings, today)
    got = check_report(pooled.documents, settings, today, known=pooled.hits)
    assert got.findings == expected.findings
    assert got.suppressed == expected.suppressed
    rules = {f.rule for f in got.findings}
    assert {"blame-language", "broken-link", "duplicate-id", "yaml", "schema", "action-overdue"} <= rules
    assert len(got.suppressed) == len(range(0, COUNT, 13))
    assert [d.path for d in pooled.documents] == [d.path for d in whole]
    # Each model still knows which fields its file gave; one set stands for each combination.
    models = [m for d in pooled.documents if d.meta for m in (d.meta, d.meta.impact, *d.meta.action_items) if m]
    plain = [m for d in whole if d.meta for m in (d.meta, d.meta.impact, *d.meta.action_items) if m]
    assert [m.model_fields_set for m in models] == [m.model_fields_set for m in plain]
    distinct = {id(m.model_fields_set) for m in models}
    assert len(distinct) < len(models) / 4


def test_check_prints_the_same_with_and_without_the_pool(tmp_path: Path) -> None:
    corpus(tmp_path, 0)
    outputs = [
        subprocess.run(
            [str(BIN / "postmortems"), "check", "--format", "json", "--jobs", jobs],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        for jobs in ("1", "2")
    ]
    assert [o.returncode for o in outputs] == [1, 1]
    assert outputs[0].stdout == outputs[1].stdout
    assert '"rule": "duplicate-id"' in outputs[0].stdout
    assert "Traceback" not in outputs[1].stderr


def mkdocs_build(root: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build -v` of the repository in `root` into root/site, in its own process, on a
    fixed day: its debug log says how many processes read and rendered."""
    return subprocess.run(
        [str(BIN / "mkdocs"), "build", "-v", "-d", "site"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": str(BIN), "SOURCE_DATE_EPOCH": "1795564800", "HOME": str(home)},
    )


def test_the_site_is_the_same_with_and_without_the_pool(tmp_path: Path) -> None:
    trees = []
    for jobs in (1, 2):
        root = tmp_path / f"jobs-{jobs}"
        corpus(root, jobs)
        built = mkdocs_build(root, tmp_path)
        # Each process count is what the build says it used (its debug log).
        assert f"read {COUNT + 4} post-mortem(s) in {jobs} process(es)" in built.stderr
        assert f"pages rendered in {jobs} process(es)" in built.stderr
        site = root / "site"
        trees.append({p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()})
    assert len(trees[0]) > COUNT
    assert trees[0].keys() == trees[1].keys()
    assert [name for name in trees[0] if trees[0][name] != trees[1][name]] == []
    assert b"Incident 7" in trees[1]["2026/pm-007/index.html"]  # read by a worker, decorated here
    sanitised = trees[1]["2026/pm-017/index.html"]
    assert b"Raw HTML" in sanitised and b"steal()" not in sanitised and b"alert(1)" not in sanitised
    # A service's chart, drawn by a worker while the pages before it were written.
    service = trees[1]["services/svc-0/index.html"].decode()
    assert 'id="chart-pm-timeline"' in service and "<svg" in service
    assert [name for name, data in trees[1].items() if b"PMBLOCK" in data] == []  # no placeholder left


HOOK = """from mkdocs.plugins import event_priority


@event_priority(-200)  # after the plugin's own on_page_content (-100)
def on_page_content(html, page, config, files):
    unsafe = "steal()" in html or "alert(1)" in html
    return html + ("<p>hook saw unsafe HTML</p>" if unsafe else "") + "<p>hook ran</p>"
"""


def test_a_plugin_reading_the_content_after_ours_sees_it_sanitised_and_keeps_its_change(tmp_path: Path) -> None:
    """With workers, the pages are sanitised by them and put in by on_env: a plugin whose
    on_page_content runs after ours (Material's privacy plugin reads every page there) would
    see the author's HTML as written, and on_env would replace what it returned. Then the
    pages are sanitised in MkDocs' process, as without workers."""
    config_file = corpus(tmp_path, 2)
    (tmp_path / "hook.py").write_text(HOOK, encoding="utf-8")
    with config_file.open("a", encoding="utf-8") as config:
        config.write("hooks:\n  - hook.py\n")
    built = mkdocs_build(tmp_path, tmp_path)
    assert "pages rendered in 2 process(es)" in built.stderr  # the workers still render ahead
    assert "pages sanitised in this process: on_page_content reads them next" in built.stderr
    written = (tmp_path / "site" / "2026" / "pm-017" / "index.html").read_text(encoding="utf-8")
    assert "Raw HTML" in written and "steal()" not in written and "alert(1)" not in written
    assert "hook ran" in written and "hook saw unsafe HTML" not in written


def test_generate_writes_the_same_with_and_without_the_pool(tmp_path: Path) -> None:
    """`postmortems generate` renders its pages on every CPU: each page's blocks are protected
    and put back in the process that renders it, so the docs folder is the same byte for byte."""
    corpus(tmp_path / "repo", 0)
    trees = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        done = subprocess.run(
            [str(BIN / "postmortems"), "generate", "--jobs", jobs, "--out", str(out)],
            cwd=tmp_path / "repo",
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": str(BIN), "SOURCE_DATE_EPOCH": "1795564800", "HOME": str(tmp_path)},
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert f"rendered in {jobs} process(es)" in done.stdout
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert len(trees[0]) > COUNT
    assert trees[0].keys() == trees[1].keys()
    assert [name for name in trees[0] if trees[0][name] != trees[1][name]] == []
    assert b"Incident 7" in trees[1]["docs/2026/pm-007.md"]
