"""What an ingest did, for the summary line ``tutor ingest`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SyncReport:
    files: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_removed: int = 0
    files_unchanged: int = 0
    added: int = 0  # chunks of new files
    replaced: int = 0  # new chunks in changed files
    removed: int = 0  # chunks gone (removed files, or replaced text in changed files)
    unchanged: int = 0  # chunks carried over with their embeddings
    embedded: int = 0  # texts sent to the embedding model
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    units: int = 0
    generation: str = ""
    up_to_date: bool = False

    def line(self) -> str:
        if self.up_to_date:
            return (f"Index is up to date: {self.units} units, {self.files} files, {self.unchanged} chunks "
                    f"({self.seconds:.1f} s)")
        return (f"Indexed {self.units} units, {self.files} files ({self.files_new} new, {self.files_changed} changed, "
                f"{self.files_removed} removed, {self.files_unchanged} unchanged): chunks {self.added} added, "
                f"{self.replaced} replaced, {self.removed} removed, {self.unchanged} unchanged "
                f"in {self.seconds:.1f} s" + (f"; {len(self.skipped)} files skipped" if self.skipped else ""))
