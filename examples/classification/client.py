"""Wait for a running server's /ping, then send the example requests and print the answers.

    python examples/classification/client.py --url http://127.0.0.1:8080
"""
from __future__ import annotations

import argparse
import json
import time
import urllib.error
import urllib.request

REQUESTS = [
    ("application/json", {"inputs": "I was billed twice this month, please refund me"}),
    ("application/json", {"inputs": ["my parcel never arrived", "the app crashes on start"],
                          "parameters": {"top_k": 2}}),
    ("application/json", {"data": [{"text": "How do I delete my account?"}]}),
    ("application/jsonlines", '{"text": "where is my package"}\n{"inputs": "reset my password"}\n'),
]


def wait_until_ready(url: str, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=2) as response:
                return json.loads(response.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise SystemExit(f"{url}/ping did not answer 200 within {seconds:.0f} s") from None
            time.sleep(0.5)


def invoke(url: str, content_type: str, body) -> str:
    data = body if isinstance(body, str) else json.dumps(body)
    request = urllib.request.Request(f"{url}/invocations", data=data.encode("utf-8"),
                                     headers={"Content-Type": content_type}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    url = parser.parse_args().url.rstrip("/")
    print("ping:", wait_until_ready(url))
    for content_type, body in REQUESTS:
        shown = body if isinstance(body, str) else json.dumps(body)
        print(f"\n>>> POST /invocations ({content_type})\n{shown.strip()}")
        print(f"<<< {invoke(url, content_type, body)}")


if __name__ == "__main__":
    main()
