"""The settings file."""

from __future__ import annotations

import pytest

from core.config import load_section, save_section


def test_settings_file_refuses_secrets() -> None:
    with pytest.raises(ValueError, match="refusing to write secrets"):
        save_section("broker", {"url": "redis://h/0", "password": "x"})
    save_section("broker", {"url": "redis://h:1/0"})
    assert load_section("broker") == {"url": "redis://h:1/0"}
