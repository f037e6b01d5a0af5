#!/usr/bin/env python
"""`make front`: Debian's nginx with deploy/nginx.conf in front of the gunicorn server(s) of `make serve`.

    make serve                      # gunicorn on BIND (127.0.0.1:8000 by default)
    make front FRONT_LISTEN=0.0.0.0:8080 FRONT_UPSTREAMS=127.0.0.1:8000,10.0.0.2:8000

It renders the template into FRONT_PREFIX (a folder for its pid, logs and buffers; .front/ by default) and runs nginx
in the foreground (Ctrl-C stops it). STATIC_ROOT is where `make serve`'s collectstatic wrote (staticfiles/ by
default). See docs/deploy.md, "The front".
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scratch import nginx_binary, nginx_config  # noqa: E402 - after the path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", default=os.getenv("FRONT_LISTEN", "127.0.0.1:8080"))
    parser.add_argument("--upstreams", default=os.getenv("FRONT_UPSTREAMS", os.getenv("BIND", "127.0.0.1:8000")))
    parser.add_argument("--static-root", default=os.getenv("STATIC_ROOT", str(ROOT / "staticfiles")))
    parser.add_argument("--prefix", default=os.getenv("FRONT_PREFIX", str(ROOT / ".front")))
    parser.add_argument("--workers", default=os.getenv("FRONT_WORKERS", "auto"))
    args = parser.parse_args(argv)
    binary = nginx_binary()
    if binary is None:
        raise SystemExit("make front needs nginx: apt-get install -y nginx-light")
    prefix = Path(args.prefix).resolve()
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    upstreams = [u.strip() for u in args.upstreams.split(",") if u.strip()]
    conf.write_text(
        nginx_config(
            prefix,
            listen=args.listen,
            upstreams=upstreams,
            static_root=Path(args.static_root).resolve(),
            worker_processes=args.workers,
        )
    )
    print(f"front: nginx on {args.listen} -> {', '.join(upstreams)} (config {conf})", flush=True)
    command = [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"), "-g", "daemon off;"]
    os.execv(binary, command)  # noqa: S606 - nginx, with arguments built here


if __name__ == "__main__":
    main()
