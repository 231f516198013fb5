"""The one error family whose messages are meant for users, as they are."""


class DigitpadError(Exception):
    """A problem the user can act on; str(error) is a complete, readable sentence."""
