"""Errors whose message is meant for the user (in German)."""


class AtlasError(Exception):
    """Base class: the message is shown to the user as it is."""


class InputFileError(AtlasError, ValueError):
    """An input file cannot be used; the message names file, row and column."""


class CRSError(AtlasError, ValueError):
    """Data comes in a coordinate reference system the analysis cannot use."""


class UnknownAreaError(AtlasError, KeyError):
    """An AGS, Kreis key or name that does not exist in Saxony."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
