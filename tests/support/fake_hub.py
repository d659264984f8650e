"""A local stand-in for the Hugging Face Hub: folders served as model repositories on 127.0.0.1.

It answers the requests ``huggingface_hub.snapshot_download`` makes, the way huggingface.co does:

* ``GET /api/models/{repo}/revision/{revision}``: model info (``sha``, ``siblings``, ``private``,
  ``gated``), which resolves a branch, tag or commit to a commit hash;
* ``GET /api/models/{repo}/tree/{commit}?recursive=...``: the file listing (size, git oid, LFS oid);
* ``HEAD``/``GET /{repo}/resolve/{revision}/{file}``: a small file answers 200 with ``ETag`` (its
  git blob id), ``X-Repo-Commit`` and ``Content-Length``; an LFS file answers 302 to a second
  server playing the CDN, with ``X-Linked-Etag`` (its sha256) and ``X-Linked-Size``, and the CDN
  serves the bytes without asking for a token.

Errors carry the headers ``huggingface_hub`` classifies by: an unknown or private repository is
401 ``X-Error-Code: RepoNotFound`` without a token and 404 with one (the Hub never says whether a
repository you may not see exists); an unknown token is 401 "Invalid credentials in Authorization
header" on any request; a gated file is 401 (no token) or 403 (a token without access)
``GatedRepo``; an unknown revision is 404 ``RevisionNotFound``; a missing file is 404
``EntryNotFound``. Every request lands in ``requests`` for the tests to read.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

# The patterns the Hub's default .gitattributes hands to Git LFS (the weights and sentencepiece files).
LFS_SUFFIXES = (".safetensors", ".bin", ".h5", ".msgpack", ".onnx", ".ckpt", ".pt", ".pth",
                ".model", ".spm")
INVALID_TOKEN = "Invalid credentials in Authorization header"


@dataclass(frozen=True)
class HostedFile:
    path: str
    data: bytes

    @property
    def git_oid(self) -> str:
        """The git blob id, the ETag the Hub gives a file kept in git itself."""
        return hashlib.sha1(b"blob %d\0" % len(self.data) + self.data).hexdigest()

    @property
    def sha256(self) -> str | None:
        """The LFS object id (the ETag of a file kept in LFS), None for a plain git file."""
        return hashlib.sha256(self.data).hexdigest() if self.path.endswith(LFS_SUFFIXES) else None

    def tree_entry(self) -> dict:
        entry = {"type": "file", "oid": self.git_oid, "size": len(self.data), "path": self.path}
        if self.sha256:
            entry["lfs"] = {"oid": self.sha256, "size": len(self.data), "pointerSize": 134}
        return entry


@dataclass
class HostedRepo:
    repo_id: str
    private: bool
    gated: bool
    readers: frozenset[str]  # tokens that may read it (private) or have accepted its terms (gated)
    revisions: dict[str, str] = field(default_factory=dict)  # branch or tag -> commit
    commits: dict[str, dict[str, HostedFile]] = field(default_factory=dict)  # commit -> files

    def commit_of(self, revision: str) -> str | None:
        return revision if revision in self.commits else self.revisions.get(revision)


@dataclass(frozen=True)
class LoggedRequest:
    server: str  # "hub" or "cdn"
    method: str
    path: str
    query: str
    authorization: str | None


class _QuietHandler(WSGIRequestHandler):
    def log(self, type, message, *args):
        pass  # the request log below is what tests read; keep pytest's output clean


def _error(status: int, message: str, code: str | None = None, commit: str | None = None) -> Response:
    headers = {"X-Error-Message": message}
    if code:
        headers["X-Error-Code"] = code
    if commit:
        headers["X-Repo-Commit"] = commit
    return Response(json.dumps({"error": message}), status, headers, content_type="application/json")


class FakeHub:
    """``with FakeHub(tokens={"hf_reader"}) as hub: hub.add_repo("org/model", folder)``, then
    point ``HF_ENDPOINT`` (or ``endpoint=``) at ``hub.endpoint``."""

    def __init__(self, tokens: set[str] | frozenset[str] = frozenset()):
        self.tokens = frozenset(tokens)
        self.repos: dict[str, HostedRepo] = {}
        self._log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._hub_routes = Map([
            Rule("/api/models/<path:repo_id>/revision/<path:revision>", endpoint="info"),
            Rule("/api/models/<path:repo_id>/tree/<revision>", endpoint="tree"),
            Rule("/<path:repo_id>/resolve/<revision>/<path:filename>", endpoint="resolve"),
        ])
        self._servers = []
        self.endpoint = self.cdn = ""

    # -- repositories ------------------------------------------------------------------------
    def add_repo(self, repo_id: str, folder: Path, *, revision: str = "main", private: bool = False,
                 gated: bool = False, readers: tuple[str, ...] = ()) -> str:
        """Publish every file under ``folder`` as ``revision`` of ``repo_id``; returns the commit."""
        files = {path.relative_to(folder).as_posix(): HostedFile(path.relative_to(folder).as_posix(),
                                                                 path.read_bytes())
                 for path in sorted(Path(folder).rglob("*")) if path.is_file()}
        repo = self.repos.setdefault(repo_id, HostedRepo(repo_id, private, gated, frozenset(readers)))
        digest = hashlib.sha1(revision.encode())
        for hosted in files.values():
            digest.update(f"{hosted.path}\0{hosted.git_oid}\0".encode())
        commit = digest.hexdigest()
        repo.commits[commit] = files
        repo.revisions[revision] = commit
        return commit

    # -- request log -------------------------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        with self._log_lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def file_downloads(self) -> list[str]:
        """Every file whose bytes were sent (``GET`` on resolve or on the CDN), as repo paths."""
        names = []
        for logged in self.requests:
            if logged.method != "GET":
                continue
            if logged.server == "cdn":
                names.append(parse_qs(logged.query)["filename"][0])
            elif "/resolve/" in logged.path:
                names.append(logged.path.split("/resolve/", 1)[1].split("/", 1)[1])
        return names

    # -- HTTP --------------------------------------------------------------------------------
    def _record(self, server: str, request: Request) -> None:
        with self._log_lock:
            self._log.append(LoggedRequest(server, request.method, request.path,
                                           request.query_string.decode(),
                                           request.headers.get("Authorization")))

    def _hub_app(self, environ, start_response):
        request = Request(environ)
        self._record("hub", request)
        adapter = self._hub_routes.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException:  # an endpoint snapshot_download never calls: a plain 404, as on the Hub
            return _error(404, "Not Found")(environ, start_response)
        return self._answer(request, endpoint, **args)(environ, start_response)

    def _cdn_app(self, environ, start_response):
        request = Request(environ)
        self._record("cdn", request)
        sha256 = request.path.rsplit("/", 1)[-1]
        hosted = next((hosted for repo in self.repos.values() for files in repo.commits.values()
                       for hosted in files.values() if hosted.sha256 == sha256), None)
        response = (Response(hosted.data, 200, content_type="application/octet-stream") if hosted
                    else Response("NoSuchKey", 404))
        return response(environ, start_response)

    def _token(self, request: Request) -> tuple[str | None, Response | None]:
        header = request.headers.get("Authorization")
        if header is None:
            return None, None
        token = header.removeprefix("Bearer ").strip()
        if token not in self.tokens:
            return token, _error(401, INVALID_TOKEN)
        return token, None

    def _answer(self, request: Request, endpoint: str, repo_id: str, revision: str,
                filename: str | None = None) -> Response:
        token, refused = self._token(request)
        if refused:
            return refused
        repo = self.repos.get(repo_id)
        if repo is None or (repo.private and token not in repo.readers):
            return _error(401 if token is None else 404, "Repository not found", "RepoNotFound")
        commit = repo.commit_of(revision)
        if commit is None:
            return _error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        files = repo.commits[commit]
        if endpoint == "info":
            return Response(json.dumps({"_id": repo_id, "id": repo_id, "modelId": repo_id, "sha": commit,
                                   "private": repo.private, "gated": "manual" if repo.gated else False,
                                   "disabled": False, "library_name": "transformers", "tags": [],
                                   "siblings": [{"rfilename": name} for name in files]}),
                            content_type="application/json")
        if endpoint == "tree":
            return Response(json.dumps([hosted.tree_entry() for hosted in files.values()]),
                            content_type="application/json")
        return self._resolve(repo, token, commit, files.get(filename))

    def _resolve(self, repo: HostedRepo, token: str | None, commit: str,
                 hosted: HostedFile | None) -> Response:
        if repo.gated and token not in repo.readers:
            message = f"Access to model {repo.repo_id} is restricted"
            return _error(401 if token is None else 403, message, "GatedRepo")
        if hosted is None:
            return _error(404, "Entry not found", "EntryNotFound", commit)
        if hosted.sha256 is None:
            return Response(hosted.data, 200, {"ETag": f'"{hosted.git_oid}"', "X-Repo-Commit": commit},
                            content_type="application/octet-stream")
        # LFS: the Hub answers with a redirect to a signed CDN URL and the file's real identity.
        # (Like the Hub's signed URLs, it names the file, so the log can say which one was sent.)
        signed = f"{self.cdn}/lfs/{hosted.sha256}?{urlencode({'filename': hosted.path})}"
        return Response(b"", 302, {"Location": signed,
                                   "ETag": f'"{hosted.git_oid}"', "X-Repo-Commit": commit,
                                   "X-Linked-Etag": f'"{hosted.sha256}"',
                                   "X-Linked-Size": str(len(hosted.data))})

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeHub:
        for name, app in (("endpoint", self._hub_app), ("cdn", self._cdn_app)):
            server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
            threading.Thread(target=server.serve_forever, name=f"fake-hub-{name}", daemon=True).start()
            self._servers.append(server)
            setattr(self, name, f"http://127.0.0.1:{server.server_port}")
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
