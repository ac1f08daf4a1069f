package azblob

import (
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"landingd/storage"
)

// upload writes r to blobName as a block blob. The data is first spooled
// to a temporary file while its MD5 is computed, so memory stays small
// and the blob is committed with Content-MD5 set. Up to 256 MiB go in one
// Put Blob request whose MD5 the service verifies; larger data is staged
// in blocks by the SDK and committed with the same Content-MD5 property.
// Either way the blob appears whole or not at all.
func (s *scope) upload(ctx context.Context, op, object, blobName string, r io.Reader) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("azblob %s %s: %w", op, object, err)
	}
	f, err := os.CreateTemp(s.tempDir, ".landingd-azblob-*")
	if err != nil {
		return fmt.Errorf("azblob %s %s: spooling: %w", op, object, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()

	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), storage.ContextReader(ctx, r))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("azblob %s %s: %w", op, object, ctxErr)
		}
		return fmt.Errorf("azblob %s %s: reading the data: %w", op, object, err)
	}
	sum := h.Sum(nil)
	headers := &blob.HTTPHeaders{BlobContentMD5: sum, BlobContentType: new(contentType(blobName))}
	bb := s.c.NewBlockBlobClient(blobName)
	if n <= blockblob.MaxUploadBlobBytes {
		if _, err = f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("azblob %s %s: spooling: %w", op, object, err)
		}
		_, err = bb.Upload(ctx, streaming.NopCloser(f), &blockblob.UploadOptions{
			HTTPHeaders:             headers,
			TransactionalValidation: blob.TransferValidationTypeMD5(sum),
		})
	} else {
		_, err = bb.UploadFile(ctx, f, &blockblob.UploadFileOptions{HTTPHeaders: headers})
	}
	if err != nil {
		return s.fail(ctx, op, object, err)
	}
	return nil
}

// contentType chooses a blob's Content-Type by its extension.
func contentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		return "text/csv"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".json":
		return "application/json"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}
