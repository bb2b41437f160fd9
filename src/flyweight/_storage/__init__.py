"""File access: the one place that reads and writes task files (templates, inputs, outputs, data).

Why it exists: the container entrypoint, the type engine's file and data frame types, and plugins all
move bytes between the task and durable storage (local disk, S3, GCS, Azure, http). Doing it in one
place gives one set of rules:

* local paths and ``file://`` need only the standard library; every other protocol goes through
  fsspec, imported the first time a remote location is used (``pip install 'flyweight[s3]'``);
* writes are atomic (temporary file and rename locally, one PUT or completed multipart upload on an
  object store), so a reader never sees half a file;
* every failure is a ``StorageError`` (SYSTEM, recoverable) naming the location, the cause and a fix;
* time against remote storage is bounded (``FLYWEIGHT_STORAGE_TIMEOUT``, retries included), so an
  endpoint that stops answering fails the task, to be retried, instead of hanging it.
"""

from flyweight._storage._access import FileAccess, FileAccessProvider
from flyweight._storage._uri import is_remote, join, local_path, protocol_of

__all__ = ["FileAccess", "FileAccessProvider", "is_remote", "join", "local_path", "protocol_of"]
