"""开放日签到台 core: domain rules, storage, import and selection. Never imports Textual."""

__version__ = "0.1.0"
