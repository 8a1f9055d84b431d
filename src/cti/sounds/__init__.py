"""The prompts the service plays, as data shared by the emulator and `hotline sounds`."""

from cti.sounds.catalogue import (
    DIRECTORY,
    FORMATS,
    PromptSet,
    Utterance,
    shipped,
    speaking_seconds,
)

__all__ = ["DIRECTORY", "FORMATS", "PromptSet", "Utterance", "shipped", "speaking_seconds"]
