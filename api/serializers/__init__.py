"""Serializers of the API, by area: the directory's read shapes, provider writes, accounts."""

from api.serializers.accounts import *  # noqa: F403
from api.serializers.directory import *  # noqa: F403
from api.serializers.search import *  # noqa: F403
from api.serializers.sync import *  # noqa: F403
from api.serializers.writes import *  # noqa: F403
