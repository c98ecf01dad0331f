"""Local mode: the embedded server, local workers, their processes, and the history of batches on this
machine."""
