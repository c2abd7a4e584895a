"""The image's HEALTHCHECK: exit 0 when the app answers 200 on its page, 1 otherwise.

Gradio answers 200 on "/" with or without a login (it serves the login page), so no
password is needed here. Run as ``python docker/healthcheck.py``; GRADIO_SERVER_PORT
(default 7860) names the port.
"""

import os
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("GRADIO_SERVER_PORT", "").strip() or "7860"
    # No proxy: an HTTP(S)_PROXY set for downloads must not catch a loopback request.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}/", timeout=5) as response:
            status = response.status
    except OSError as err:  # refused, timed out, or an HTTP error status
        print(f"unhealthy: {err}", file=sys.stderr)
        return 1
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
