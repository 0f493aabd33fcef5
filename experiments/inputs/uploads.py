"""File uploads stream to a temporary file, and a file over its limit is refused while it is read.

Django's default handlers keep small files in memory and write large ones to disk only after
counting nothing: an upload page read 60 MB before refusing. This handler always writes to a
temporary file and stops taking a file as soon as it passes the limit; the request then carries
`upload_refused` = (field, limit) for the view or the middleware to answer.
"""

from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler


class BoundedUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, field_name, *args, **kwargs):
        self.received = 0
        super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_refused = (self.field_name, self.limit)
            self.file.close()  # the temporary file is deleted; the rest of the part is skipped unread into memory
            raise SkipFile()
        return super().receive_data_chunk(raw_data, start)
