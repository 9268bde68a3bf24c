"""A local S3-compatible server for the tests: moto's standalone server (`moto[server]`, in the dev lock)
started in a child process on a free loopback port below 32768, never a fixed one
(docs/decisions/0037-object-storage-and-stateless-servers.md says why this server).

It speaks the S3 HTTP API: django-storages and boto3 talk real HTTP to it, signed requests and all, as they
would to Garage, MinIO or a cloud object store. The tests read what it stores with boto3 directly, the
oracle independent of the application.
"""

from __future__ import annotations

import contextlib
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from .tools import skip_or_fail

ACCESS_KEY_ID = "parcours-test-key-id"
SECRET_ACCESS_KEY = "parcours-test-secret-key"
REGION = "us-east-1"


def free_port() -> int:
    """A free loopback port below 32768 (above it, the kernel's ephemeral client ports may collide)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("aucun port libre entre 20000 et 32000")


@dataclass
class S3Server:
    endpoint_url: str
    process: subprocess.Popen

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object of the bucket, read with boto3 (not through Parcours): {key: stored bytes}."""
        client = self.client()
        keys = [
            item["Key"]
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for item in page.get("Contents", ())
        ]
        return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}

    def env(self, bucket: str, **extra: str) -> dict[str, str]:
        """The PARCOURS_S3_* variables of an application using `bucket` on this server."""
        return {
            "PARCOURS_S3_BUCKET": bucket,
            "PARCOURS_S3_ENDPOINT_URL": self.endpoint_url,
            "PARCOURS_S3_REGION": REGION,
            "PARCOURS_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "PARCOURS_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "PARCOURS_S3_ADDRESSING_STYLE": "path",
            **extra,
        }


def _moto_available() -> bool:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def s3_server(timeout: float = 60) -> Iterator[S3Server]:
    """Start moto's S3 server on a free port, yield it once it answers, stop it whatever happens."""
    if not _moto_available():
        skip_or_fail(
            "moto[server] absent (installez les dépendances de développement) : pas de serveur S3 local"
        )
    for _attempt in range(5):
        port = free_port()
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # one line per request: a pipe nobody reads would block the server
        )
        url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        ready = False
        while time.monotonic() - started < timeout and process.poll() is None:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()  # noqa: S310 (loopback)
                ready = True
                break
            except urllib.error.HTTPError:
                ready = True  # it answers
                break
            except OSError:
                time.sleep(0.1)
        if not ready:
            process.kill()
            process.wait()
            if time.monotonic() - started >= timeout:
                raise RuntimeError(f"le serveur S3 local ne répond pas après {timeout:.0f} s")
            continue  # the port was taken between the check and the bind: another one
        try:
            yield S3Server(url, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return
    raise RuntimeError("le serveur S3 local n'a pas pu démarrer (5 ports essayés)")
