"""Object storage behind one interface: S3 (AWS, MinIO, embedded SeaweedFS, moto) or a folder."""

from resources.storage.base import KeyList, StorageError, StorageResource, StoredObject, Tags
from resources.storage.local import LocalStorageResource
from resources.storage.s3 import TRANSIENT_CODES, S3StorageResource

__all__ = [
    "TRANSIENT_CODES",
    "KeyList",
    "LocalStorageResource",
    "S3StorageResource",
    "StorageError",
    "StorageResource",
    "StoredObject",
    "Tags",
]
