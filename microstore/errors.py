"""Domain errors. Services raise them; views turn them into form errors or messages."""


class DomainError(Exception):
    """A rule of the business was broken; ``message`` is safe to show to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
