"""Generated SYNTHETIC sites (one page each: the machine is shared) served by the fixture web."""
from __future__ import annotations

import pytest

from scanner.demo.fixtureweb import FixtureWeb
from scanner.demo.synthetic import write_sites


@pytest.fixture(scope="module")
def scale_web(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale-web")
    hosts = write_sites(root, 3, 1)
    with FixtureWeb(overlay=root) as web:
        yield web, hosts
